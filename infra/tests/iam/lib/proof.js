// The two halves of the proof, each returning findings (readable strings; none means proven):
//   provenAllowed: every IAM request every recorded call needs is allowed by its principal's
//                  policies and the resource's policy, as @cloud-copilot/iam-simulate evaluates them;
//   provenUsed:    every (statement, action, resource) an Allow statement grants allows at least one
//                  of those requests.

import { readFileSync } from 'node:fs'
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy'
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'
import { ACCOUNT, PARTITION, REGION, Stack } from './template.js'
import { authorizations, UnknownOperation } from './requests.js'
import { platformOperations } from './platform.js'

export const KMS_KEY = `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`

// The key is not the stack's: its policy is assumed to be AWS's default one, which lets the
// account's IAM policies decide (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
// A key policy that names the roles itself would need its own check.
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
}

/** The call log (format: infra/README.md), checked for the fields the proof reads. */
export function loadLog(path) {
  const log = JSON.parse(readFileSync(path, 'utf8'))
  const bad = (what) => { throw new Error(`${path}: ${what}`) }
  for (const field of ['bucket', 'table']) if (typeof log.rig?.[field] !== 'string') bad(`rig.${field} is missing`)
  if (!Array.isArray(log.operations) || !log.operations.length) bad('no operations')
  for (const [i, op] of log.operations.entries()) {
    if (typeof op.operation !== 'string' || typeof op.principal !== 'string' || !Array.isArray(op.calls)) bad(`operations[${i}] needs operation, principal and calls`)
    for (const [j, call] of op.calls.entries()) {
      for (const field of ['service', 'operation', 'method', 'uri']) if (typeof call[field] !== 'string') bad(`${op.operation}: calls[${j}].${field} is missing`)
      if (typeof call.presigned !== 'boolean') bad(`${op.operation}: calls[${j}].presigned is missing`)
      if (call.service === 'dynamodb' && typeof call.body !== 'object') bad(`${op.operation}: calls[${j}] (DynamoDB ${call.operation}) has no body`)
    }
  }
  return log
}

// Values for the parameters that have no default (the others keep theirs).
const REQUIRED = { AlarmEmail: 'alarms@example.com' }

/** The template deployed with `overrides`: its principals, resources and the platform's calls. */
export function deployment(template, overrides = {}) {
  const required = Object.keys(template.Parameters ?? {}).filter((n) => template.Parameters[n].Default === undefined && n in REQUIRED)
  const stack = new Stack(template, { ...Object.fromEntries(required.map((n) => [n, REQUIRED[n]])), ...overrides })
  const buckets = stack.buckets()
  return {
    label: Object.entries(overrides).map(([k, v]) => `${k}=${v || '""'}`).join(' ') || 'defaults',
    principals: stack.principals(), buckets, bucket: buckets.find((b) => b.name === stack.filesBucket().name),
    table: stack.table(), userPool: stack.userPool(),
    platform: platformOperations(stack),
  }
}

/**
 * Every IAM request the log's calls (and the platform's) need, deduplicated per principal, and the
 * problems met on the way (unknown operations, unknown principals, malformed entries).
 */
export function requiredRequests(log, dep) {
  const rig = log.rig ?? {}
  const names = { bucket: { [rig.bucket]: dep.bucket.name }, table: { [rig.table]: dep.table.name }, userPool: { [rig.user_pool]: dep.userPool.id } }
  const env = {
    partition: PARTITION, region: REGION, account: ACCOUNT, buckets: dep.buckets, table: dep.table,
    rename: (kind, name) => names[kind][name] ?? name, // the rig's names are the template's resources
    rigUserPool: rig.user_pool,
  }
  const known = new Set(dep.principals.map((p) => p.name))
  const requests = new Map()
  const problems = []
  for (const op of [...log.operations, ...dep.platform]) {
    if (!known.has(op.principal)) {
      problems.push(`${op.principal} · ${op.operation}: not a principal of the template, so none of its ${op.calls.length} calls is allowed`)
      continue
    }
    for (const call of op.calls) {
      const where = `${op.principal} · ${op.operation} · ${call.service} ${call.operation}${call.presigned ? ' (presigned)' : ''}`
      let needed
      try {
        needed = authorizations(call, env)
      } catch (e) {
        if (!(e instanceof UnknownOperation)) throw e
        problems.push(`${where}: ${e.message} (lib/requests.js)`)
        continue
      }
      for (const r of needed) {
        const key = JSON.stringify([op.principal, r.action, r.resource, Object.entries(r.context).sort()])
        if (requests.has(key)) requests.get(key).others += 1 // the same request: evaluated once
        else requests.set(key, { principal: op.principal, where, others: 0, ...r })
      }
    }
  }
  return { requests: [...requests.values()], problems }
}

function resourcePolicy(dep, resource) {
  const bucket = dep.buckets.find((b) => resource === b.arn || resource.startsWith(`${b.arn}/`))
  if (bucket) return bucket.policy
  if (resource.startsWith(`arn:${PARTITION}:kms:`)) return DEFAULT_KEY_POLICY
  return undefined
}

// iam-simulate 0.1.173 drops a parameterised key that has no '/' (kms:EncryptionContext:<key>) as
// not applying to the action, though iam-data lists its pattern. So the validated run (action,
// resource type and every other key checked) leaves such keys out, and the verdict comes from the
// same engine run without that filter (runUnsafeSimulation).
const UNFILTERED = /^kms:EncryptionContext:/i

/** The simulator's verdict on `request` made by `principal`: 'Allowed', or why not. */
export async function evaluate(dep, principal, request, policies = principal.policies) {
  const simulation = (context) => ({
    request: {
      principal: principal.arn, action: request.action,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: policies.map(({ name, document }) => ({ name, policy: document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy(dep, request.resource),
  })
  const validated = Object.fromEntries(Object.entries(request.context).filter(([k]) => !UNFILTERED.test(k)))
  const result = await runSimulation(simulation(validated), {})
  if (result.resultType === 'error') {
    // A policy the simulator cannot read is the template's (or a mutation's) fault, not the request's.
    if (result.errors.message === 'policy.errors') throw new Error(`invalid policy: ${JSON.stringify(result.errors)}`)
    return `not evaluable (${result.errors.message}): the mapping names an action or resource IAM does not have (lib/requests.js)`
  }
  // A context key the simulator drops does not apply to the action (iam-data): the mapping is wrong.
  const ignored = result.result?.ignoredContextKeys ?? result.results?.flatMap((r) => r.ignoredContextKeys ?? []) ?? []
  if (ignored.length) return `context keys ${ignored.join(', ')} do not apply to ${request.action} (lib/requests.js)`
  let overall = result.overallResult
  let analysis = result.result?.analysis
  if (Object.keys(validated).length !== Object.keys(request.context).length) {
    const unfiltered = simulation(request.context)
    // The unvalidated path names the resource policy only when it comes pre-validated.
    if (unfiltered.resourcePolicy) unfiltered.resourcePolicy = createValidatedPolicy(unfiltered.resourcePolicy, validateResourcePolicy, { name: 'resource policy' })
    overall = runUnsafeSimulation(unfiltered, {})
    analysis = undefined // that path gives the verdict only
  }
  if (overall === 'Allowed') return 'Allowed'
  const denies = [...(analysis?.identityAnalysis?.denyStatements ?? []), ...(analysis?.resourceAnalysis?.denyStatements ?? [])]
  const by = denies.map((d) => d.statement.sid?.() ?? `statement ${d.statement.index?.()}`)
  return overall + (by.length ? ` by ${by.join(', ')}` : overall === 'ImplicitlyDenied' ? ' (no statement allows it)' : '')
}

const describe = (r) => `${r.action} on ${r.resource}`
  + (r.context['dynamodb:LeadingKeys'] ? ` (LeadingKeys ${r.context['dynamodb:LeadingKeys'].join(', ')})` : '')
  + (r.why ? ` [${r.why}]` : '')
  + (r.others ? ` (and ${r.others} more call${r.others > 1 ? 's' : ''} asking the same)` : '')

/** (1) Every needed request allowed. `only` narrows the requests checked (mutations). */
export async function provenAllowed(log, dep, only = () => true) {
  const { requests, problems } = requiredRequests(log, dep)
  const findings = [...problems]
  const byName = new Map(dep.principals.map((p) => [p.name, p]))
  for (const r of requests.filter(only)) {
    const verdict = await evaluate(dep, byName.get(r.principal), r)
    if (verdict !== 'Allowed') findings.push(`${r.where}: ${describe(r)} — ${verdict}`)
  }
  return findings
}

/** (2) Every granted (statement, action, resource) needed by at least one request of its principal. */
export async function provenUsed(log, dep) {
  const { requests } = requiredRequests(log, dep)
  const findings = []
  for (const principal of dep.principals) {
    const mine = requests.filter((r) => r.principal === principal.name)
    if (!mine.length) findings.push(`${principal.name}: no recorded operation, so nothing it is granted is shown to be needed`)
    for (const { name, document } of principal.policies) {
      for (const [i, statement] of asList(document.Statement).entries()) {
        if (statement.Effect !== 'Allow') continue
        const sid = `${principal.name} · ${statement.Sid ?? `${name} statement ${i}`}`
        if (statement.NotAction || statement.NotResource) {
          findings.push(`${sid}: NotAction/NotResource is not modelled by this proof`)
          continue
        }
        const { Sid, ...rest } = statement
        for (const action of asList(statement.Action)) {
          for (const resource of asList(statement.Resource)) {
            // The statement cut down to this one action and resource, its condition kept.
            const grant = [{ name: 'grant', document: { Version: '2012-10-17', Statement: [{ ...rest, Action: action, Resource: resource }] } }]
            let used = false
            for (const r of mine.filter((r) => matches(action, r.action))) {
              if (await evaluate(dep, principal, r, grant) === 'Allowed') { used = true; break }
            }
            if (!used) findings.push(`${sid}: ${action} on ${resource} — no recorded call needs it`)
          }
        }
      }
    }
  }
  return findings
}

export const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** IAM action matching: case-insensitive, with * and ? wildcards. */
export function matches(pattern, action) {
  const escaped = pattern.replace(/[.+^$(){}|[\]\\]/g, '\\$&')
  return new RegExp(`^${escaped.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action)
}
