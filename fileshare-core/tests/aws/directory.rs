//! The user directory in the table (`DynamoUserDirectory`): its conformance suite, fed by an import
//! from a Cognito pool on moto; what it takes from Cognito; and how recorded accounts follow changes.

use super::*;

/// A confirmed account in a Cognito pool on moto: `(sub, username)`.
pub(crate) async fn pool_account(
    moto: &str,
    pool: &str,
    username: &str,
    attributes: serde_json::Value,
) -> fileshare_core::UserId {
    use fileshare_core::testing::aws_rig::moto_cognito;
    let body = serde_json::json!({"UserPoolId": pool, "Username": username, "UserAttributes": attributes});
    let created = moto_cognito(moto, "AdminCreateUser", body).await;
    // A permanent password confirms the account (AdminCreateUser leaves it FORCE_CHANGE_PASSWORD).
    let password = serde_json::json!({"UserPoolId": pool, "Username": username, "Password": "Directory-Pass-1!", "Permanent": true});
    moto_cognito(moto, "AdminSetUserPassword", password).await;
    let attributes = created["User"]["Attributes"].as_array().expect("attributes");
    let sub = attributes.iter().find(|a| a["Name"] == "sub").and_then(|a| a["Value"].as_str()).expect("sub");
    fileshare_core::UserId::new(sub).expect("sub")
}

/// The table's directory, filled by an import from a fresh pool on moto with two users who have
/// verified addresses. The guard carries the pool (its id and client), for the tests below.
async fn directory_harness() -> Option<DirectoryHarness> {
    use fileshare_core::testing::aws_rig::moto_user_pool;
    use fileshare_core::testing::DirectoryUser;
    let moto = skip_unless_configured("FILESHARE_TEST_MOTO_ENDPOINT")?;
    let table = dynamo_store().await?;
    let (pool_id, _client) = moto_user_pool(&moto, "directory").await;
    let mut users = Vec::new();
    for name in ["alice", "bob"] {
        let username = fileshare_core::testing::random_user(name).to_string();
        let email = format!("{username}@example.com");
        let attributes =
            serde_json::json!([{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]);
        let id = pool_account(&moto, &pool_id, &username, attributes).await;
        users.push(DirectoryUser { id, username, email: Some(email) });
    }
    let pool = CognitoUserPool::builder()
        .user_pool_id(&pool_id)
        .region("us-east-1")
        .endpoint_url(moto)
        .credentials(credentials())
        .build()
        .await
        .expect("pool");
    let directory = DynamoUserDirectory::new(&table);
    let imported = directory.import(&pool).await.expect("import");
    assert_eq!(imported.recorded, 2);
    let [a, b]: [DirectoryUser; 2] = users.try_into().expect("two users");
    Some(DirectoryHarness { directory: Arc::new(directory), users: [a, b], guard: Box::new((pool_id, pool)) })
}

mod conformance {
    use super::directory_harness;
    fileshare_core::directory_conformance!(directory_harness);
}

/// What the directory takes from Cognito: only confirmed, enabled accounts, and only verified
/// addresses — an address someone typed into their own profile (unverified) names no one, nor does
/// an account never confirmed, and a file shared "with ceo@corp.com" reaches the real one. An
/// account disabled since is forgotten by the next import.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_find_only_confirmed_accounts_and_verified_addresses() {
    use fileshare_core::testing::aws_rig::moto_cognito;
    use fileshare_core::UserDirectory;
    let Some(harness) = directory_harness().await else { return };
    let moto = skip_unless_configured("FILESHARE_TEST_MOTO_ENDPOINT").expect("moto");
    let (pool_id, pool) = harness.guard.downcast_ref::<(String, CognitoUserPool)>().expect("the pool");
    let directory = DynamoUserDirectory::new(&dynamo_store().await.expect("table"));
    let claimed = harness.users[0].email.clone().expect("email");
    // Mallory claims alice's address on her own (confirmed) account, unverified.
    let mallory = fileshare_core::testing::random_user("mallory").to_string();
    pool_account(&moto, pool_id, &mallory, serde_json::json!([{"Name": "email", "Value": claimed}])).await;
    // An account never confirmed is not found by its username.
    let pending = fileshare_core::testing::random_user("pending").to_string();
    moto_cognito(&moto, "AdminCreateUser", serde_json::json!({"UserPoolId": pool_id, "Username": pending})).await;
    let imported = directory.import(pool).await.expect("import");
    assert_eq!(imported.recorded, 3, "alice, bob and mallory are confirmed");
    assert_eq!(
        directory.resolve(&claimed).await.expect("resolve"),
        Some(harness.users[0].id.clone()),
        "the address is alice's, whoever else typed it into their profile"
    );
    assert_eq!(directory.resolve(&pending).await.expect("resolve"), None, "an unconfirmed account");
    assert!(directory.resolve(&mallory).await.expect("resolve").is_some());

    let username = &harness.users[1].username;
    moto_cognito(&moto, "AdminDisableUser", serde_json::json!({"UserPoolId": pool_id, "Username": username})).await;
    let imported = directory.import(pool).await.expect("import");
    assert_eq!(imported.forgotten, 1, "bob, disabled");
    assert_eq!(directory.resolve(username).await.expect("resolve"), None);
    assert_eq!(directory.display_name(&harness.users[1].id).await.expect("name"), None);
}

/// What the pool's triggers record, as accounts change: a changed address moves with its account;
/// an address two accounts verified names neither; a forgotten account names no one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_accounts_follow_their_changes() {
    use fileshare_core::backends::DirectoryEntry;
    use fileshare_core::testing::random_user;
    use fileshare_core::UserDirectory;
    let Some(table) = dynamo_store().await else { return };
    let directory = DynamoUserDirectory::new(&table);
    let (carol, dave) = (random_user("carol"), random_user("dave"));
    let address = |who: &str| format!("{}@example.com", random_user(who));
    let (old, new, shared) = (address("carol"), address("carol"), address("team"));
    // A pool that signs people in by email: the username is the id, the address the name shown.
    let mut entry = DirectoryEntry { id: carol.clone(), username: carol.to_string(), email: Some(old.clone()) };
    directory.record(&entry).await.expect("record");
    assert_eq!(directory.resolve(&old.to_uppercase()).await.expect("resolve"), Some(carol.clone()));
    assert_eq!(directory.display_name(&carol).await.expect("name"), Some(old.clone()));

    entry.email = Some(new.clone());
    directory.record(&entry).await.expect("record the change");
    assert_eq!(directory.resolve(&old).await.expect("resolve"), None, "the old address is let go");
    assert_eq!(directory.resolve(&new).await.expect("resolve"), Some(carol.clone()));
    assert_eq!(directory.display_name(&carol).await.expect("name"), Some(new.clone()));

    for (id, username) in [(&carol, "carol"), (&dave, "dave")] {
        let username = random_user(username).to_string();
        let entry = DirectoryEntry { id: id.clone(), username, email: Some(shared.clone()) };
        directory.record(&entry).await.expect("record");
    }
    assert_eq!(directory.resolve(&shared).await.expect("resolve"), None, "an address two accounts verified");

    // Where the pool signs people in by email it keeps an address on one account: an account
    // deleted (no trigger says so) and its address signed up again, the newer account has it.
    let (gone, newcomer) = (random_user("gone"), random_user("newcomer"));
    let moved = address("moved");
    for id in [&gone, &newcomer] {
        let entry = DirectoryEntry { id: id.clone(), username: id.to_string(), email: Some(moved.clone()) };
        directory.record(&entry).await.expect("record");
    }
    assert_eq!(directory.resolve(&moved).await.expect("resolve"), Some(newcomer.clone()), "taken over");

    assert!(directory.forget(&dave).await.expect("forget"));
    assert_eq!(directory.display_name(&dave).await.expect("name"), None);
    assert!(!directory.forget(&dave).await.expect("forget again"));
}
