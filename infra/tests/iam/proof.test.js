// The least-privilege proof (infra/README.md, "IAM: least privilege, proven"), run by
// `scripts/test-iam CALLS.json` (CALLS.json: what the AWS suite's request-count test recorded):
//   (1) every AWS call each principal's code makes is allowed by its policies as the template defines them;
//   (2) every (statement, action, resource) an Allow statement grants is needed by one of those calls;
// both with KmsKeyArn empty and set; then mutations showing the proof can fail.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { asList, deployment, evaluate, KMS_KEY, loadLog, matches, provenAllowed, provenUsed, requiredRequests } from './lib/proof.js'
import { loadTemplate } from './lib/template.js'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const template = loadTemplate(process.env.FILESHARE_IAM_TEMPLATE ?? here('../../template.yaml'))
if (!process.env.FILESHARE_IAM_CALLS) throw new Error('FILESHARE_IAM_CALLS names no call log (run scripts/test-iam CALLS.json)')
const log = loadLog(process.env.FILESHARE_IAM_CALLS)
const report = (findings) => `${findings.length} finding(s):\n  ${findings.join('\n  ')}`
const mine = (name) => (finding) => finding.startsWith(`${name} · `) || finding.startsWith(`${name}: `)

for (const overrides of [{ KmsKeyArn: '' }, { KmsKeyArn: KMS_KEY }]) {
  const dep = deployment(template, overrides)
  const names = [...new Set([...dep.principals, ...log.operations, ...dep.platform].map((x) => x.name ?? x.principal))]
  describe(`the template with ${dep.label}`, () => {
    let allowed, used
    for (const name of names) {
      test(`${name}: (1) every recorded call is allowed`, async () => {
        allowed ??= await provenAllowed(log, dep)
        const findings = allowed.filter(mine(name))
        if (findings.length) assert.fail(report(findings))
      })
      test(`${name}: (2) no grant is unused`, async () => {
        used ??= await provenUsed(log, dep)
        const findings = used.filter(mine(name))
        if (findings.length) assert.fail(report(findings))
      })
    }
  })
}

// ---------------------------------------------------------------- (5) the proof can fail
// Each mutation is applied in memory to the resolved template or to the log; what counts is a finding
// that the unmutated proof does not have.
const base = deployment(template, { KmsKeyArn: '' })
const fresh = (before, after) => after.filter((f) => !before.includes(f))
const principal = (dep, name) => dep.principals.find((p) => p.name === name)
const statements = (p) => p.policies.flatMap(({ document }) => asList(document.Statement))
const withPrincipal = (dep, name, change) => {
  const copy = structuredClone(dep)
  change(principal(copy, name))
  return copy
}
// Removes the actions `pattern` matches from a principal's statements (dropping emptied ones).
const strip = (p, pattern) => {
  for (const policy of p.policies) {
    const kept = asList(policy.document.Statement).map((s) => ({ ...s, Action: asList(s.Action).filter((a) => !matches(pattern, a)) }))
    policy.document.Statement = kept.filter((s) => s.Action.length)
  }
}
const withOperation = (name, calls) => ({ ...log, operations: [...log.operations, { operation: 'injected', principal: name, calls }] })
const s3Call = (operation, method, key, headers = {}) =>
  ({ service: 's3', operation, presigned: false, method, uri: `http://127.0.0.1:1/${log.rig.bucket}/${key}`, headers })
const dynamoCall = (operation, body) => ({ service: 'dynamodb', operation, presigned: false, method: 'POST', uri: 'http://127.0.0.1:1/', headers: {}, body })

describe('(5) the proof can fail', () => {
  test('removing any granted action that a recorded call needs makes (1) fail', async () => {
    let removed = 0
    // With a key too: its KMS grants exist only then.
    for (const dep of [base, deployment(template, { KmsKeyArn: KMS_KEY })]) {
      const { requests } = requiredRequests(log, dep)
      const before = await provenAllowed(log, dep)
      for (const p of dep.principals) {
        for (const action of new Set(statements(p).filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)))) {
          const needs = (r) => r.principal === p.name && matches(action, r.action)
          const needed = []
          for (const r of requests.filter(needs)) if (await evaluate(dep, p, r) === 'Allowed') needed.push(r)
          if (!needed.length) continue // no call needs it: (2) reports it
          const after = await provenAllowed(log, withPrincipal(dep, p.name, (q) => strip(q, action)), needs)
          assert.ok(fresh(before, after).length, `${p.name} without ${action} (${dep.label}): (1) still passes`)
          removed += 1
        }
      }
    }
    assert.ok(removed >= 10, `only ${removed} removals were exercised`)
  })

  test('a call the template does not grant makes (1) fail', async () => {
    for (const p of base.principals) {
      const calls = [
        s3Call('DeleteObject', 'DELETE', 'outside/files/x'), // outside every files/ grant
        dynamoCall('Scan', { TableName: log.rig.table }), // no principal may Scan
        dynamoCall('GetItem', { TableName: 'another-table', Key: { PK: { S: 'x' }, SK: { S: 'y' } } }),
      ]
      // A statement that limits dynamodb:LeadingKeys must refuse another partition, unless another
      // statement grants the same action without a condition.
      for (const s of statements(p).filter((s) => s.Condition && JSON.stringify(s.Condition).includes('dynamodb:LeadingKeys'))) {
        for (const action of asList(s.Action)) {
          if (statements(p).some((o) => !o.Condition && asList(o.Action).includes(action))) continue
          const op = action.split(':')[1]
          const item = { PK: { S: 'FILE#intruder' }, SK: { S: 'META' } }
          const table = log.rig.table
          const body = op === 'PutItem' ? { TableName: table, Item: item }
            : op === 'BatchGetItem' ? { RequestItems: { [table]: { Keys: [item] } } }
            : { TableName: table, Key: item }
          calls.push(dynamoCall(op, body))
        }
      }
      const before = await provenAllowed(log, base)
      for (const call of calls) {
        const after = await provenAllowed(withOperation(p.name, [call]), base)
        assert.ok(fresh(before, after).some((f) => f.includes(`· injected · ${call.service} ${call.operation}`)),
          `${p.name}: an ungranted ${call.service} ${call.operation} passed (1)`)
      }
    }
  })

  test('an extra action makes (2) fail, naming the statement, action and resource', async () => {
    const extra = { dynamodb: 'dynamodb:Scan', s3: 's3:GetObjectAcl', 'cognito-idp': 'cognito-idp:AdminDeleteUser', sqs: 'sqs:ReceiveMessage' }
    const before = await provenUsed(log, base)
    for (const p of base.principals) {
      const i = statements(p).findIndex((s) => s.Effect === 'Allow')
      const target = statements(p)[i]
      const action = extra[asList(target.Action)[0].split(':')[0]]
      const mutated = withPrincipal(base, p.name, (q) => { statements(q)[i].Action = [...asList(target.Action), action] })
      const added = fresh(before, await provenUsed(log, mutated))
      const resource = asList(target.Resource)[0]
      assert.ok(added.some((f) => f.includes(`${p.name} · ${target.Sid}`) && f.includes(`${action} on ${resource}`)),
        `${p.name}: ${action} added to ${target.Sid} went unnoticed:\n${added.join('\n')}`)
    }
  })

  test('an operation the mapping does not know makes (1) fail', async () => {
    const [p] = base.principals
    const before = await provenAllowed(log, base)
    for (const call of [s3Call('GetObjectTorrent', 'GET', 'files/x?torrent'), { ...dynamoCall('ExecuteStatement', {}), service: 'lambda' }]) {
      const after = await provenAllowed(withOperation(p.name, [call]), base)
      assert.ok(fresh(before, after).some((f) => f.includes('is not mapped')), `${call.service} ${call.operation} was not refused`)
    }
  })

  test('the bucket policy is evaluated: a plain-HTTP request meets its TlsOnly Deny', async () => {
    const [p] = base.principals
    const request = { action: 's3:GetObject', resource: `${base.bucket.arn}/files/a/b`, context: { 'aws:SecureTransport': 'false' } }
    assert.match(await evaluate(base, p, request), /^ExplicitlyDenied by TlsOnly/)
  })

  test('a bucket-policy Deny of object creation without If-None-Match passes the recorded calls and refuses one without it', async () => {
    // AWS's example (userguide/conditional-writes-enforce.html), added beside the template's own.
    const dep = structuredClone(base)
    dep.bucket.policy.Statement.push({
      Sid: 'ConditionalWritesOnly', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${dep.bucket.arn}/*`,
      Condition: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
    })
    const before = await provenAllowed(log, base)
    assert.deepEqual(fresh(before, await provenAllowed(log, dep)), [], 'a recorded upload lacks If-None-Match')
    const bare = withOperation('ApiFunction', [s3Call('PutObject', 'PUT', 'files/a/b', { 'content-length': '1' })])
    assert.ok(fresh(before, await provenAllowed(bare, dep)).some((f) => /ExplicitlyDenied by .*ConditionalWritesOnly/.test(f)))
  })

  test('s3:ListBucket for 404s: a grant limited to the files/ prefix is enough, another prefix is not', async () => {
    const listing = (prefix) => withPrincipal(base, 'ApiFunction', (p) => {
      strip(p, 's3:ListBucket') // whatever the template grants, this grant alone decides
      p.policies[0].document.Statement.push({
        Effect: 'Allow', Action: 's3:ListBucket', Resource: base.bucket.arn, Condition: { StringLike: { 's3:prefix': prefix } },
      })
    })
    const gaps = async (dep) => (await provenAllowed(log, dep)).filter((f) => f.includes('s3:ListBucket'))
    assert.deepEqual(await gaps(listing('files/*')), [])
    assert.ok((await gaps(listing('other/*'))).length)
  })

  test('with a KMS key, a grant must match the encryption context S3 uses with a Bucket Key (the bucket ARN)', async () => {
    const dep = deployment(template, { KmsKeyArn: KMS_KEY })
    const granting = (arn) => withPrincipal(dep, 'ApiFunction', (p) => {
      strip(p, 'kms:*') // whatever the template grants, this grant alone decides
      if (arn) p.policies[0].document.Statement.push({
        Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: KMS_KEY,
        Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': arn } },
      })
    })
    const gaps = async (d) => (await provenAllowed(log, d)).filter((f) => f.startsWith('ApiFunction') && f.includes(' kms:'))
    assert.ok((await gaps(granting(undefined))).length, 'S3 data calls need KMS once a key is set')
    assert.deepEqual(await gaps(granting(dep.bucket.arn)), [])
    assert.ok((await gaps(granting(`${dep.bucket.arn}/files/x`))).length)
  })
})
