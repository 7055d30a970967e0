import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { useTriageModelCatalogue, useTriageModels } from './grants.js';

/** Where model versions live in the bucket: `<prefix><version>/model.json.gz` and `summary.json`. */
export const TRIAGE_MODEL_PREFIX = 'triage-models/';

/**
 * The trained triage models (functions/core/triage/): one private bucket, versions under
 * `triage-models/`, written by an operator's `npm run triage -- train --bucket <name>` and read by
 * the stamp function, which may read there (GetObject, and ListBucket on the bucket); the API function may only list the prefix. A version is never overwritten (the training
 * writes with If-None-Match), and the bucket is versioned as well, so a model that decided a case
 * can always be found again.
 */
export class TriageModels extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the triage model bucket; logging its own access would only log the logging.',
    });

    this.bucket = new Bucket(this, 'Models', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'triage-models/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'tidy-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1), noncurrentVersionExpiration: Duration.days(90) }],
    });
  }

  /**
   * The stamp function reads model versions: the bucket and prefix in its environment, and
   * s3:GetObject on the prefix and s3:ListBucket on this bucket, so a missing version reads as 404, not 403
   * (set together, so configuration and permission cannot drift).
   */
  grantRead(fn: LambdaFunction): void {
    useTriageModels(fn, this.bucket, TRIAGE_MODEL_PREFIX);
  }

  /**
   * The API function checks that the version a configuration names is stored before applying it:
   * s3:ListBucket limited to the prefix, no GetObject (it never reads a model).
   */
  grantList(fn: LambdaFunction): void {
    useTriageModelCatalogue(fn, this.bucket, TRIAGE_MODEL_PREFIX);
  }
}
