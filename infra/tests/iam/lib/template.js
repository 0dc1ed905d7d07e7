// The SAM template, resolved for one concrete parameter set: the principals and their policies,
// the bucket (name, policy, encryption), the table (key schema) and the user pool, as AWS would
// hold them after `sam deploy`. Only what the proof reads is resolved; an intrinsic or resource type
// this file does not know fails loudly instead of being guessed.

import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export const ACCOUNT = '123456789012'
export const REGION = 'us-east-1'
export const PARTITION = 'aws'
const STACK = 'fileshare'
const URL_SUFFIX = 'amazonaws.com'

// CloudFormation's short tags (!Ref, !Sub, …) as their long forms ({"Fn::Sub": …}), in all three
// YAML shapes (scalar, sequence, mapping).
const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'If', 'Not', 'Equals', 'And', 'Or', 'Condition', 'Join', 'Select',
  'Split', 'FindInMap', 'Base64', 'ImportValue', 'GetAZs', 'Cidr']
const long = (name, value) => name === 'Ref' || name === 'Condition'
  ? { [name]: value }
  : { [`Fn::${name}`]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value }
const customTags = INTRINSICS.flatMap((name) => [
  { tag: `!${name}`, resolve: (text) => long(name, text) },
  { tag: `!${name}`, collection: 'seq', resolve: (seq) => long(name, seq.toJSON()) },
  { tag: `!${name}`, collection: 'map', resolve: (map) => long(name, map.toJSON()) },
])

export function loadTemplate(path) {
  return parse(readFileSync(path, 'utf8'), { customTags })
}

const NO_VALUE = Symbol('AWS::NoValue')

/** The template resolved for `overrides` (parameter name → value) over the parameters' defaults. */
export class Stack {
  constructor(template, overrides = {}) {
    this.template = template
    this.resources = template.Resources
    this.params = {
      'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': PARTITION,
      'AWS::StackName': STACK, 'AWS::URLSuffix': URL_SUFFIX, 'AWS::NoValue': NO_VALUE,
    }
    for (const [name, p] of Object.entries(template.Parameters ?? {})) {
      this.params[name] = name in overrides ? overrides[name] : p.Default
      if (this.params[name] === undefined) throw new Error(`parameter ${name} has no default: give it a value (REQUIRED in lib/proof.js)`)
      this.params[name] = String(this.params[name])
    }
    this.conditions = {}
    for (const name of Object.keys(template.Conditions ?? {})) this.conditions[name] = this.condition(name)
  }

  condition(name) {
    if (!(name in this.conditions)) this.conditions[name] = this.value(this.template.Conditions[name])
    return this.conditions[name]
  }

  /** `v` with every intrinsic function evaluated and AWS::NoValue dropped. */
  value(v) {
    if (Array.isArray(v)) return v.map((x) => this.value(x)).filter((x) => x !== NO_VALUE)
    if (v === null || typeof v !== 'object') return v
    const keys = Object.keys(v)
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], v[keys[0]])
    }
    const out = {}
    for (const key of keys) {
      const x = this.value(v[key])
      if (x !== NO_VALUE) out[key] = x
    }
    return out
  }

  intrinsic(fn, arg) {
    switch (fn) {
      case 'Ref': return arg in this.params ? this.params[arg] : this.ref(arg)
      case 'Condition': return this.condition(arg)
      case 'Fn::GetAtt': return this.getAtt(...(typeof arg === 'string' ? arg.split('.') : arg))
      case 'Fn::Sub': return this.sub(...(Array.isArray(arg) ? arg : [arg, {}]))
      case 'Fn::If': return this.value(this.condition(arg[0]) ? arg[1] : arg[2])
      case 'Fn::Equals': return this.value(arg[0]) === this.value(arg[1])
      case 'Fn::Not': return !this.value(arg[0])
      case 'Fn::And': return arg.every((c) => this.value(c))
      case 'Fn::Or': return arg.some((c) => this.value(c))
      case 'Fn::Join': return this.value(arg[1]).join(arg[0])
      case 'Fn::Select': return this.value(arg[1])[Number(this.value(arg[0]))]
      case 'Fn::Split': return this.value(arg[1]).split(arg[0])
      default: throw new Error(`${fn} is not resolved by this proof (infra/tests/iam/lib/template.js)`)
    }
  }

  sub(text, vars) {
    return text.replace(/\$\{([^}]+)\}/g, (whole, name) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}` // ${!Literal} stays literal
      if (name in vars) return this.value(vars[name])
      if (name in this.params) return this.params[name]
      const [resource, ...attribute] = name.split('.')
      return attribute.length ? this.getAtt(resource, attribute.join('.')) : this.ref(resource)
    })
  }

  resource(name) {
    const resource = this.resources[name]
    if (!resource) throw new Error(`no resource ${name} in the template`)
    return resource
  }

  prop(name, key) {
    const v = this.resource(name).Properties?.[key]
    return v === undefined ? undefined : this.value(v)
  }

  /** What `Ref` returns once deployed: a plausible physical id (names the template sets are used). */
  ref(name) {
    // SAM's `!Ref Function.Alias` (AutoPublishAlias): the alias's ARN.
    const [base, sam] = name.split('.')
    if (sam === 'Alias' && this.resource(base).Type === 'AWS::Serverless::Function') {
      return `${this.getAtt(base, 'Arn')}:${this.prop(base, 'AutoPublishAlias') ?? 'live'}`
    }
    const type = this.resource(name).Type
    const generated = `${STACK}-${name}-1A2B3C4D5E6F`
    switch (type) {
      case 'AWS::S3::Bucket': return this.prop(name, 'BucketName') ?? generated.toLowerCase()
      case 'AWS::DynamoDB::Table': return this.prop(name, 'TableName') ?? generated
      case 'AWS::Cognito::UserPool': return `${REGION}_Ex4mpleP1`
      case 'AWS::Cognito::UserPoolClient': return '1example23456789abcdefghij'
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.${URL_SUFFIX}/${ACCOUNT}/${this.prop(name, 'QueueName') ?? generated}`
      case 'AWS::Serverless::Function': return this.prop(name, 'FunctionName') ?? generated
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${ACCOUNT}:policy/${this.prop(name, 'ManagedPolicyName') ?? generated}`
      case 'AWS::Serverless::HttpApi': return 'a1b2c3d4e5'
      case 'AWS::Logs::LogGroup': return this.prop(name, 'LogGroupName') ?? generated
      case 'AWS::SNS::Topic': return `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:${generated}`
      default: throw new Error(`Ref of ${type} (${name}) is not resolved by this proof`)
    }
  }

  getAtt(name, attribute) {
    const type = this.resource(name).Type
    const arn = (service, rest) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${rest}`
    const known = {
      'AWS::S3::Bucket.Arn': () => `arn:${PARTITION}:s3:::${this.ref(name)}`,
      'AWS::DynamoDB::Table.Arn': () => arn('dynamodb', `table/${this.ref(name)}`),
      // A stream's label is the time it was enabled.
      'AWS::DynamoDB::Table.StreamArn': () => `${this.getAtt(name, 'Arn')}/stream/2026-01-01T00:00:00.000`,
      'AWS::Cognito::UserPool.Arn': () => arn('cognito-idp', `userpool/${this.ref(name)}`),
      'AWS::SQS::Queue.Arn': () => arn('sqs', this.ref(name).split('/').pop()),
      'AWS::SQS::Queue.QueueName': () => this.ref(name).split('/').pop(),
      'AWS::Serverless::Function.Arn': () => arn('lambda', `function:${this.ref(name)}`),
      'AWS::Logs::LogGroup.Arn': () => arn('logs', `log-group:${this.ref(name)}:*`),
      'AWS::Serverless::HttpApi.ApiEndpoint': () => `https://${this.ref(name)}.execute-api.${REGION}.${URL_SUFFIX}`,
    }[`${type}.${attribute}`]
    if (!known) throw new Error(`GetAtt ${name}.${attribute} (${type}) is not resolved by this proof`)
    return known()
  }

  /** Every principal whose policies the template defines, with the policies that authorize it. */
  principals() {
    const out = []
    for (const [name, resource] of Object.entries(this.resources)) {
      if (resource.Type === 'AWS::Serverless::Function') {
        if (resource.Properties.Role) throw new Error(`${name}: a function with its own Role is not modelled`)
        // SAM names the role it creates `{Function}Role`; Lambda calls with a session of it.
        const role = `${STACK}-${name}Role-1A2B3C4D5E6F`
        const policies = (resource.Properties.Policies ?? []).map((entry, i) => {
          if (typeof entry !== 'object' || !entry.Statement) {
            throw new Error(`${name}: Policies[${i}] is not an inline policy (SAM templates and ARNs are not modelled)`)
          }
          return { name: `${name}Policy${i}`, document: this.value(entry) }
        })
        out.push({ name, arn: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${role}/${this.ref(name)}`, policies })
      } else if (resource.Type === 'AWS::IAM::ManagedPolicy') {
        // An operator's role that has this policy attached (and nothing else of the stack's).
        out.push({
          name,
          arn: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/fileshare-operator/${name}`,
          policies: [{ name, document: this.value(resource.Properties.PolicyDocument) }],
        })
      } else if (['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::User', 'AWS::IAM::Group'].includes(resource.Type)) {
        throw new Error(`${name}: ${resource.Type} is not modelled by this proof yet`)
      }
    }
    return out
  }

  /** Every bucket: its name, ARN, policy and default encryption. */
  buckets() {
    return this.ofType('AWS::S3::Bucket').map((name) => {
      const policies = this.ofType('AWS::S3::BucketPolicy').filter((p) => this.prop(p, 'Bucket') === this.ref(name))
      const rule = this.prop(name, 'BucketEncryption')?.ServerSideEncryptionConfiguration?.[0] ?? {}
      const sse = rule.ServerSideEncryptionByDefault ?? {}
      return {
        logicalId: name, name: this.ref(name), arn: this.getAtt(name, 'Arn'),
        policy: policies.length ? this.prop(policies[0], 'PolicyDocument') : undefined,
        kmsKey: sse.SSEAlgorithm === 'aws:kms' ? sse.KMSMasterKeyID : undefined,
        bucketKey: rule.BucketKeyEnabled === true,
      }
    })
  }

  /** The files bucket: the one the functions are told (FILESHARE_BUCKET), or the only one. */
  filesBucket() {
    const buckets = this.buckets()
    const named = this.value(this.template.Globals?.Function?.Environment?.Variables?.FILESHARE_BUCKET)
    const found = named ? buckets.find((b) => b.name === named) : buckets.length === 1 ? buckets[0] : undefined
    if (!found) throw new Error('cannot tell the files bucket (FILESHARE_BUCKET in Globals names none of the buckets)')
    return found
  }

  /** The one table: name, ARN, stream ARN, and the partition key of the table and of each index. */
  table() {
    const [name] = this.ofType('AWS::DynamoDB::Table')
    const hash = (schema) => schema.find((k) => k.KeyType === 'HASH').AttributeName
    const indexes = {}
    for (const i of this.prop(name, 'GlobalSecondaryIndexes') ?? []) indexes[i.IndexName] = hash(i.KeySchema)
    for (const i of this.prop(name, 'LocalSecondaryIndexes') ?? []) indexes[i.IndexName] = hash(i.KeySchema)
    return {
      name: this.ref(name), arn: this.getAtt(name, 'Arn'), streamArn: this.getAtt(name, 'StreamArn'),
      partitionKey: hash(this.prop(name, 'KeySchema')), indexes,
    }
  }

  userPool() {
    const [name] = this.ofType('AWS::Cognito::UserPool')
    return { id: this.ref(name), arn: this.getAtt(name, 'Arn') }
  }

  ofType(type) {
    return Object.keys(this.resources).filter((n) => this.resources[n].Type === type)
  }
}
