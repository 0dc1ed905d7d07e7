//! Building update expressions with placeholders for every name and value, so DynamoDB's reserved
//! words (`name`, `size`, `status`, `owner`…) never matter.

use super::items::Item;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// An update expression under construction.
#[derive(Default)]
pub(super) struct Update {
    set: Vec<String>,
    remove: Vec<String>,
    add: Vec<String>,
    pub names: HashMap<String, String>,
    pub values: Item,
}

impl Update {
    /// `#name` for an attribute.
    pub fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#{}", attribute.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    /// `:v` for a value.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub fn set(&mut self, attribute: &str, value: AttributeValue) -> &mut Self {
        let (n, v) = (self.name(attribute), self.value(value));
        self.set.push(format!("{n} = {v}"));
        self
    }

    /// Sets `attribute` only if it has no value yet.
    pub fn set_if_absent(&mut self, attribute: &str, value: AttributeValue) -> &mut Self {
        let (n, v) = (self.name(attribute), self.value(value));
        self.set.push(format!("{n} = if_not_exists({n}, {v})"));
        self
    }

    /// A `SET` action written out, for arithmetic (`#a = if_not_exists(#a, :zero) + :n`).
    pub fn set_expression(&mut self, action: String) -> &mut Self {
        self.set.push(action);
        self
    }

    pub fn remove(&mut self, attribute: &str) -> &mut Self {
        let n = self.name(attribute);
        self.remove.push(n);
        self
    }

    pub fn add(&mut self, attribute: &str, value: AttributeValue) -> &mut Self {
        let (n, v) = (self.name(attribute), self.value(value));
        self.add.push(format!("{n} {v}"));
        self
    }

    /// The `UpdateExpression` text.
    pub fn expression(&self) -> String {
        let mut clauses = Vec::new();
        for (keyword, parts) in [("SET", &self.set), ("REMOVE", &self.remove), ("ADD", &self.add)] {
            if !parts.is_empty() {
                clauses.push(format!("{keyword} {}", parts.join(", ")));
            }
        }
        clauses.join(" ")
    }
}
