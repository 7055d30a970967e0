import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CaseflowFunction } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useStateMachine, useTable, useWebFormReturnUrl } from './grants.js';

export interface WebIntakeProps {
  readonly data: CaseTable;
  readonly lifecycle: IStateMachine;
  readonly webFormReturnUrl?: string;
  readonly logRetention: RetentionDays;
}

/**
 * Web-to-case: serves the public form and turns a submission into a case and a lifecycle execution.
 * Email-to-case (SES ▶ S3 ▶ function) joins this construct in the email issue.
 */
export class WebIntake extends Construct {
  readonly webToCaseFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: WebIntakeProps) {
    super(scope, id);

    const fn = new CaseflowFunction(this, 'WebToCaseFunction', {
      handler: 'web-to-case',
      description: 'Public web form: GET serves the form, POST creates a case',
      logRetention: props.logRetention,
    }).function;
    useTable(fn, props.data, 'web-to-case');
    useStateMachine(fn, props.lifecycle);
    useWebFormReturnUrl(fn, props.webFormReturnUrl);
    this.webToCaseFunction = fn;
  }
}
