import { describe, expect, it } from 'vitest';
import { scanSecrets } from './index.js';
import { secretName } from './keyword.js';
import { plausibleSecret } from './plausible.js';

const found = (text: string) => scanSecrets(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

// Built at run time so no literal credential sits in the source.
const ghp = 'ghp_' + 'wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx';
const stripe = 'sk_live_' + 'ReTllpYQYfIZu2Jnf2lAPFjD';
const openai = 'sk-proj-' + 'Xi8tcNiHV9awbCcvilTe' + 'T3BlbkFJ' + '3UDnpdEwNNm6wVBpYM0o';
const slack = 'xoxb-' + '34532454-e039d02840a0b9379c';

describe('provider formats', () => {
  it('finds AWS, GitHub, GitLab, Slack, Stripe, OpenAI and npm tokens', () => {
    expect(found(`key AKIAZ${'7'.repeat(15)} ok`)).toEqual([`AWS_ACCESS_KEY_ID:AKIAZ${'7'.repeat(15)}`]);
    expect(found(`token=${ghp}`)[0]).toBe(`GITHUB_TOKEN:${ghp}`);
    expect(found('glpat-hellOworld380_testin')).toEqual(['GITLAB_TOKEN:glpat-hellOworld380_testin']);
    expect(found(slack)).toEqual([`SLACK_TOKEN:${slack}`]);
    expect(found(stripe)).toEqual([`STRIPE_KEY:${stripe}`]);
    expect(found(openai)).toEqual([`OPENAI_API_KEY:${openai}`]);
    expect(found('//registry.npmjs.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002')).toEqual([
      'NPM_TOKEN:743b294a-cd03-11ec-9d64-0242ac120002',
    ]);
  });

  it('finds GCP and Azure credentials', () => {
    const gcp = 'AIza' + 'SyNHxIf32IQ1a1yjl3ZJIqKZqzLAK1XhDk-';
    expect(found(gcp)).toEqual([`GCP_API_KEY:${gcp}`]);
    const azure = 'bP88Q~' + 'rcBcYjzzOhg1Hnn76Wm3jGgakZiZ.8vMgR';
    expect(found(`client_secret=${azure}`)).toEqual([`AZURE_CLIENT_SECRET:${azure}`]);
    const accountKey =
      'lJzRc1YdHaAA2KCNJJ1tkYwF/+mKK6Ygw0NGe170Xu592euJv2wYUtBlV8z+qnlcNQSnIYVTkLWntUO1F8j8rQ==';
    expect(found(`DefaultEndpointsProtocol=https;AccountKey=${accountKey}`)).toEqual([
      `AZURE_STORAGE_KEY:${accountKey}`,
    ]);
  });

  it('finds JWTs whose header is JSON, and private keys', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(found(`Bearer ${jwt}`).some((f) => f === `JWT:${jwt}`)).toBe(true);
    expect(found('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.x')).toEqual([]); // truncated header
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HECdnH\n-----END RSA PRIVATE KEY-----';
    expect(found(pem)).toEqual([`PRIVATE_KEY:${pem}`]);
    expect(found('-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----')).toEqual([]);
  });

  it('rejects placeholders, fillers and documentation examples', () => {
    expect(found('ghp_' + 'x'.repeat(36))).toEqual([]);
    expect(found('AKIAIOSFODNN7EXAMPLE')).toEqual([]);
    expect(found('glpat-XXXXXXXXXXX-XXXXXXXX')).toEqual([]);
    expect(found('pk_live_j5krY8XTgIcDaHDb3YrsAfCl')).toEqual([]); // publishable, not secret
  });
});

describe('secrets by context', () => {
  it('finds values assigned to secret-named keys in many syntaxes', () => {
    expect(found('password = "hunter2!x"')).toEqual(['SECRET_ASSIGNMENT:hunter2!x']);
    expect(found('"api_key": "9f8a7b6c5d4e3f2a1b0c"')).toEqual(['SECRET_ASSIGNMENT:9f8a7b6c5d4e3f2a1b0c']);
    expect(found('DB_PASSWORD := s3cr3tValue')).toEqual(['SECRET_ASSIGNMENT:s3cr3tValue']);
    expect(found('if ("Tr0ub4dor&3" == password) {')).toEqual(['SECRET_ASSIGNMENT:Tr0ub4dor&3']);
    expect(found('<add key="ClearTextPassword" value="Pa55w0rd!" />')).toEqual([
      'SECRET_ASSIGNMENT:Pa55w0rd!',
    ]);
  });

  it('ignores templates, variables, code references and empty values', () => {
    for (const line of [
      'password = "${DB_PASSWORD}"',
      'password: {{ .Values.password }}',
      'api_key = os.environ["API_KEY"]',
      'secret = get_secret()',
      'password = ""',
      'password = "changeme"',
      'token_file = "/etc/token"',
      'public_key = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
      'max_tokens = 1000',
    ]) {
      expect(found(line), line).toEqual([]);
    }
  });

  it('finds credentials in URLs, curl and Authorization headers', () => {
    expect(found('postgres://app:Sup3rS3cret@db.internal:5432/prod')).toEqual([
      'CONNECTION_STRING:Sup3rS3cret',
    ]);
    expect(found('curl -u elastic:P@ssw0rd$1 https://localhost:9200')).toEqual(['BASIC_AUTH:P@ssw0rd$1']);
    expect(found('curl -u "${USER}:${PASS}" https://x')).toEqual([]);
    expect(found('Authorization: Bearer cfcabd11c7ed9a41b1a3e063c32d5114')).toEqual([
      'AUTH_HEADER:cfcabd11c7ed9a41b1a3e063c32d5114',
    ]);
  });

  it('finds the data of Kubernetes Secret manifests only', () => {
    const secret = 'apiVersion: v1\nkind: Secret\ndata:\n  password: UyFCXCpkJHpEc2I9\n';
    expect(found(secret).some((f) => f.endsWith(':UyFCXCpkJHpEc2I9'))).toBe(true);
    expect(found('apiVersion: v1\nkind: ConfigMap\ndata:\n  mode: UyFCXCpkJHpEc2I9\n')).toEqual([]);
  });
});

describe('helpers', () => {
  it('classifies names by how strongly they mean "secret"', () => {
    expect(secretName('DB_PASSWORD')).toBe('strong');
    expect(secretName('clientSecret')).toBe('strong');
    expect(secretName('api_key')).toBe('strong');
    expect(secretName('auth_token')).toBe('weak');
    expect(secretName('HEROKU_KEY')).toBe('vendor');
    expect(secretName('password_length')).toBeUndefined();
    expect(secretName('csrf_token')).toBeUndefined();
    expect(secretName('keyword')).toBeUndefined();
  });

  it('tells placeholders from secrets', () => {
    expect(plausibleSecret('x8#Lq2!vR', { quoted: true, minLength: 4 })).toBe(true);
    expect(plausibleSecret('<your-api-key>', { quoted: true, minLength: 4 })).toBe(false);
    expect(plausibleSecret('abcdefghijklmnop', { quoted: true, minLength: 4 })).toBe(false);
    expect(plausibleSecret('config.password', { quoted: false, minLength: 4 })).toBe(false);
  });
});

describe('what the syntax around a value says', () => {
  const value = 'xY9#kLm2q';
  it('reads an unquoted value ending a statement, or after =>, as code', () => {
    expect(found(`passwd = ${value};`)).toEqual([]);
    expect(found(`password => ${value}`)).toEqual([]);
    expect(found(`passwd = "${value}";`)).toEqual([`SECRET_ASSIGNMENT:${value}`]);
    expect(found(`passwd = ${value}`)).toEqual([`SECRET_ASSIGNMENT:${value}`]); // config file
  });

  it('reads single quotes in C declarations as a character literal', () => {
    expect(found(`secret[] = '${value}';`)).toEqual([]);
    expect(found(`api_key = @'${value}';`)).toEqual([]);
    expect(found(`secret[] = "${value}";`)).toEqual([`SECRET_ASSIGNMENT:${value}`]);
    expect(found(`api_key = '${value}'`)).toEqual([`SECRET_ASSIGNMENT:${value}`]); // Python, JS...
  });

  it('leaves npm auth tokens to the .npmrc rule', () => {
    expect(found('_authToken=743b294a-cd03-11ec-9d64-0242ac120002')).toEqual([]);
    expect(found('//registry.npmjs.org:_authToken=743b294a-cd03-11ec-9d64-0242ac120002')).toEqual([]);
  });

  it('does not take identifiers, placeholder ids or non-base64 Basic values for secrets', () => {
    expect(found('password: "real_key"')).toEqual([]);
    expect(found('password: "r3al_k3y!"')).toEqual(['SECRET_ASSIGNMENT:r3al_k3y!']);
    expect(found('"token3": "xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"')).toEqual([]);
    expect(found('curl -H "Authorization: Basic dXNlcjpwYXNzd29yZDEyMw=="')).toEqual([
      'AUTH_HEADER:dXNlcjpwYXNzd29yZDEyMw==',
    ]);
    expect(found('curl -H "Authorization: Basic not.a-basic~value"')).toEqual([]);
  });
});
