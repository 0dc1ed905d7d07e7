// Calls AWS services make *with a function's role* because of how the template wires the function
// (no code of ours sends them, so the Rust side cannot record them). Derived from the template, in
// the call log's format, so that they go through the same mapping and evaluation as recorded calls.
//
// - An event source mapping from a DynamoDB stream: Lambda reads the stream with the function's
//   execution role, which needs dynamodb:DescribeStream, GetRecords, GetShardIterator and
//   ListStreams (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html,
//   "Execution role permissions"). ListStreams has no resource type in the Service Authorization
//   Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html),
//   so it is asked of "*".
// - Its on-failure destination (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html:
//   "For an SQS destination: sqs:SendMessage; SNS: sns:Publish; S3: s3:PutObject and s3:ListBucket")
//   and a function's dead-letter queue (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
//   Lambda delivers with the function's role.

export function platformOperations(stack) {
  const operations = []
  const call = (operation, body) => ({ service: operation.service, operation: operation.name, presigned: false, method: 'POST', uri: 'platform:', headers: {}, body })
  for (const name of stack.ofType('AWS::Lambda::EventSourceMapping')) {
    // The function is named by !Ref Fn (or SAM's !Ref Fn.Alias): its role reads the stream.
    const principal = stack.resource(name).Properties.FunctionName?.Ref?.split('.')[0]
    if (stack.resources[principal]?.Type !== 'AWS::Serverless::Function') {
      throw new Error(`${name}: FunctionName is not a !Ref of a function in this template`)
    }
    const source = stack.prop(name, 'EventSourceArn')
    if (!source.includes(':dynamodb:')) throw new Error(`${name}: only DynamoDB stream sources are modelled`)
    const calls = [
      call({ service: 'dynamodb', name: 'DescribeStream' }, { StreamArn: source }),
      call({ service: 'dynamodb', name: 'GetShardIterator' }, { StreamArn: source, ShardId: 'shardId-0001', ShardIteratorType: 'LATEST' }),
      // A shard iterator is opaque; the stream it reads is named here for the mapping.
      call({ service: 'dynamodb', name: 'GetRecords' }, { StreamArn: source, ShardIterator: 'opaque' }),
      call({ service: 'dynamodb', name: 'ListStreams' }, {}),
    ]
    const destination = stack.prop(name, 'DestinationConfig')?.OnFailure?.Destination
    if (destination) calls.push(...deliver(call, destination))
    operations.push({ operation: `${name}: Lambda polls the stream (platform)`, principal, calls })
  }
  for (const name of stack.ofType('AWS::Serverless::Function')) {
    const dlq = stack.prop(name, 'DeadLetterQueue')
    if (!dlq) continue
    operations.push({ operation: `${name}: a failed asynchronous event is dead-lettered (platform)`, principal: name, calls: deliver(call, dlq.TargetArn) })
  }
  return operations
}

/** The calls that deliver a failed batch or event to `arn` (a queue, topic or bucket). */
function deliver(call, arn) {
  const [, , service, region, account, name] = arn.split(':')
  switch (service) {
    case 'sqs': return [call({ service: 'sqs', name: 'SendMessage' }, { QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${name}`, MessageBody: '…' })]
    case 'sns': return [call({ service: 'sns', name: 'Publish' }, { TopicArn: arn, Message: '…' })]
    case 's3': {
      // Lambda names the object aws/lambda/{mapping id}/{shard id}/{date}/{time}-{uuid}.
      const s3 = (operation, method, path) => ({ ...call({ service: 's3', name: operation }, undefined), method, uri: `https://s3.amazonaws.com/${name}${path}` })
      return [s3('ListObjectsV2', 'GET', '?list-type=2'), s3('PutObject', 'PUT', '/aws/lambda/esm-uuid/shardId-0001/2026/01/01/2026-01-01T00.00.00-uuid')]
    }
    default: throw new Error(`a failure destination on ${service} is not modelled: ${arn}`)
  }
}
