import { beforeAll, describe, expect, it } from 'vitest';
import { logicalId, type Resources, synthCaseflow, statementsOfFunction } from '../support/synth.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;

beforeAll(() => {
  synth = synthCaseflow({ nag: true });
  resources = synth.template.toJSON().Resources as Resources;
});

const bucketId = () => logicalId(synth.stack.triageModels.bucket, synth.stack);
const functionId = (name: string) => logicalId(synth.stack.workflow.taskFunctions[name as 'workflow-stamp'], synth.stack);

/** Every IAM statement attached to a function's role. */
function statementsOf(fnId: string): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  return statementsOfFunction(resources, fnId);
}

describe('triage model storage', () => {
  it('keeps model versions in a private, encrypted, TLS-only, versioned and logged bucket', () => {
    const bucket = resources[bucketId()]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration.LogFilePrefix).toBe('triage-models/');
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId())!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
  });

  /** ListBucket on the bucket, for keys under the prefix only: a missing version is then a 404, not a 403. */
  const listPrefix = () =>
    expect.objectContaining({
      Action: 's3:ListBucket',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [bucketId(), 'Arn'] },
      Condition: { StringLike: { 's3:prefix': 'triage-models/*' } },
    });

  it('gives the stamp function the bucket and prefix, and GetObject on the prefix only', () => {
    const env = resources[functionId('workflow-stamp')]!.Properties.Environment.Variables;
    expect(env.TRIAGE_MODEL_BUCKET).toEqual({ Ref: bucketId() });
    expect(env.TRIAGE_MODEL_PREFIX).toBe('triage-models/');
    const s3 = statementsOf(functionId('workflow-stamp')).filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3).toHaveLength(2);
    expect(s3).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 's3:GetObject',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/triage-models/*']] },
        }),
      ]),
    );
  });

  // Without s3:ListBucket, S3 answers a GetObject of a key that does not exist with 403 AccessDenied,
  // not 404 NoSuchKey: a configuration naming a version not yet uploaded would fail every case instead
  // of the store reading the version as "not stored". The list right is on the model bucket, which holds
  // nothing else; it carries no s3:prefix condition, which the existence check of a GetObject would not meet.
  it('lets a missing model version read as missing: ListBucket on the model bucket, without a prefix condition', () => {
    const lists = statementsOf(functionId('workflow-stamp')).filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(lists[0]?.Condition).toBeUndefined();
    expect(lists).toEqual([
      expect.objectContaining({
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [bucketId(), 'Arn'] },
      }),
    ]);
    const actions = statementsOf(functionId('workflow-stamp'))
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('s3:'));
    expect(actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  it('lets the API function list the prefix, to check the version a configuration names, and read no model', () => {
    const apiId = logicalId(synth.stack.api.apiFunction as never, synth.stack);
    const env = resources[apiId]!.Properties.Environment.Variables;
    expect(env.TRIAGE_MODEL_BUCKET).toEqual({ Ref: bucketId() });
    const s3 = statementsOf(apiId).filter((s) => JSON.stringify(s).includes(bucketId()));
    expect(s3).toEqual([listPrefix()]);
  });

  it('gives no other function the model bucket', () => {
    for (const name of ['workflow-route', 'workflow-failed', 'workflow-schedule-sla', 'workflow-evaluate-sla', 'workflow-continue-sla']) {
      expect(resources[functionId(name)]!.Properties.Environment?.Variables?.TRIAGE_MODEL_BUCKET, name).toBeUndefined();
      expect(JSON.stringify(statementsOf(functionId(name))), name).not.toContain(bucketId());
    }
  });

  it('names the bucket in the stack outputs, for `npm run triage -- train --bucket`', () => {
    expect(synth.template.toJSON().Outputs.TriageModelBucket.Value).toEqual({ Ref: bucketId() });
  });
});
