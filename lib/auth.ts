import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccountRecovery, FeaturePlan, Mfa, StandardThreatProtectionMode, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** Roles reach the API as `cognito:groups`; the names match the `roles` in the routing configuration. */
export const AGENT_GROUPS = ['admin', 'manager', 'agent'] as const;

/**
 * Who may use the agent/admin API. Admins create users (no self sign-up); the Cognito username is the
 * agent id (`cognito:username` in ID tokens, `username` in access tokens), so it must equal the agent's
 * `id` in the routing configuration.
 */
export class AgentAuth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus tier for threat protection: blocks sign-ins with credentials known to be leaked and applies
      // adaptive authentication to risky sign-ins. An account that can read every customer case is worth the
      // per-user price for a support team's headcount.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      // Users, their groups and MFA devices cannot be recreated from code.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP) by decision: agents and the scripted tools (token, smoke, bench) sign in from the CLI with SRP or USER_PASSWORD_AUTH and do not answer an MFA challenge. Every user can enrol TOTP, admins can require it per user, and Plus-tier threat protection blocks leaked credentials and challenges risky sign-ins.',
    });

    AGENT_GROUPS.forEach((groupName, precedence) => {
      this.userPool.addGroup(`${groupName.charAt(0).toUpperCase()}${groupName.slice(1)}Group`, {
        groupName,
        // Lower wins when a user is in several groups (only matters for group IAM roles, which we do not use).
        precedence,
        description: `caseflow ${groupName}s`,
      });
    });

    this.client = this.userPool.addClient('CliClient', {
      userPoolClientName: 'caseflow-cli',
      generateSecret: false,
      // SRP for interactive sign-in, USER_PASSWORD_AUTH for scripted CLI use (token, smoke, bench).
      authFlows: { userSrp: true, userPassword: true },
      // No hosted UI or OAuth flows: tokens come from InitiateAuth only.
      disableOAuth: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }

  /** The issuer the HTTP API's JWT authorizer trusts. */
  get issuerUrl(): string {
    return `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
