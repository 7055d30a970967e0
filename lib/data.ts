import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { IndexDefinition, IndexName } from '../functions/adapters/table-definition.js';
import { TABLE } from '../functions/adapters/table-definition.js';

/**
 * The single table (docs/architecture.md#the-table), built from functions/adapters/table-definition.ts, the same
 * description the local stack uses for DynamoDB Local.
 *
 * Keep this construct's id and the table's id stable: a new logical id would create a second, empty
 * table and (because of RETAIN) silently leave the data in the old one.
 */
export interface CaseTableProps {
  /** Indexes kept projecting ALL while a deployed table's projections are trimmed one by one (docs/deploying.md#changing-an-index-projection). */
  readonly indexesProjectingAll?: readonly IndexName[];
  /** An index left out, so that a deploy deletes it before the next creates it with its new projection. */
  readonly withoutIndex?: IndexName;
}

export class CaseTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: CaseTableProps = {}) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The AWS managed key (aws/dynamodb): encrypted with KMS and every use shows in CloudTrail, without a
      // key policy to keep or a monthly key fee. A customer managed key would only pay off for cross-account
      // access or crypto-shredding, neither of which this system needs.
      encryption: TableEncryption.AWS_MANAGED,
    });

    for (const index of TABLE.indexes as readonly IndexDefinition[]) {
      if (index.name === props.withoutIndex) continue;
      const projected = (props.indexesProjectingAll ?? []).some((name) => name === index.name) ? 'ALL' : index.projected;
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(projected === 'ALL' ? { projectionType: ProjectionType.ALL } : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projected] }),
      });
    }
  }
}
