//! The table definition, for tests and local development (on AWS the template in `infra/` creates it).

use super::items::{GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, PK, SK, TTL};
use super::DynamoMetadataStore;
use crate::{Error, Result};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};

fn build_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::storage("dynamodb", e)
}

fn key_schema(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>> {
    Ok(vec![
        KeySchemaElement::builder().attribute_name(pk).key_type(KeyType::Hash).build().map_err(build_error)?,
        KeySchemaElement::builder().attribute_name(sk).key_type(KeyType::Range).build().map_err(build_error)?,
    ])
}

fn index(name: &str, pk: &str, sk: &str) -> Result<GlobalSecondaryIndex> {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .set_key_schema(Some(key_schema(pk, sk)?))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .map_err(build_error)
}

impl DynamoMetadataStore {
    /// Creates the table (on-demand billing, both indexes, TTL on `expires_at`) unless it exists.
    pub async fn create_table_if_missing(&self) -> Result<()> {
        let exists = self.client.describe_table().table_name(&self.table).send().await;
        match exists {
            Ok(_) => return Ok(()),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {}
            Err(e) => return Err(build_error(e)),
        }
        let attributes = [PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK]
            .into_iter()
            .map(|name| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(build_error)
            })
            .collect::<Result<Vec<_>>>()?;
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(key_schema(PK, SK)?))
            .global_secondary_indexes(index(GSI1, GSI1PK, GSI1SK)?)
            .global_secondary_indexes(index(GSI2, GSI2PK, GSI2SK)?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            // Created concurrently by another test or process.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => return Ok(()),
            Err(e) => return Err(build_error(e)),
        }
        let ttl = TimeToLiveSpecification::builder().attribute_name(TTL).enabled(true).build().map_err(build_error)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(build_error)?;
        Ok(())
    }
}
