import type { ChatCompletionRequest } from '@aisbf/contracts';
import { fake } from './fake-data.fixture';
import { detectPrivateData, firedRules, PRIVACY_RULES } from './privacy-detector';

const req = (content: string): Pick<ChatCompletionRequest, 'messages'> => ({ messages: [{ role: 'user', content }] });
const rulesIn = (text: string) => firedRules(detectPrivateData(req(text)));
const f = fake('spec');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Per rule: texts that must fire it, and near-misses that must fire nothing at all. */
const CASES: Record<string, { fire: string[]; quiet: string[] }> = {
  'secret.openai_key': {
    fire: [`OPENAI_API_KEY=${f.openai()}`, `client = OpenAI(api_key="${f.openaiLegacy()}")`, `key ${fake('o2').openai()} leaked`],
    quiet: ['api_key="sk-..."', 'sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'sk-your-api-key-here-0000000000', 'pip install sk-learn-pipeline-2023-classifier', 'sk-1234567890abcdef1234567890abcdefABCD'],
  },
  'secret.anthropic_key': {
    fire: [`ANTHROPIC_API_KEY=${f.anthropic()}`],
    quiet: ['ANTHROPIC_API_KEY=sk-ant-...', 'sk-ant-api03-YOUR_KEY_HERE_xxxxxxxxxxxxxxxxxxxxxx'],
  },
  'secret.aws_key': {
    fire: [`aws_access_key_id = ${f.awsKeyId()}`, `"AccessKeyId": "${fake('a2').awsKeyId()}"`],
    quiet: ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIAXXXXXXXXXXXXXXXX', 'the AKIA prefix marks long-term keys'],
  },
  'secret.aws_secret_key': {
    fire: [`aws_secret_access_key = ${f.awsSecret()}`, `"SecretAccessKey": "${fake('s2').awsSecret()}"`],
    quiet: ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = <your secret key>'],
  },
  'secret.github_token': {
    fire: [`GITHUB_TOKEN=${f.github()}`, `token: ${f.githubPat()}`],
    quiet: ['GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'ghp_ prefix tokens are classic PATs', 'ghp_abc'],
  },
  'secret.gitlab_token': { fire: [`PRIVATE-TOKEN: ${f.gitlab()}`], quiet: ['PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx', 'glpat-<token>'] },
  'secret.slack_token': {
    fire: [`SLACK_BOT_TOKEN=${f.slackBot()}`, `webhook_url: ${f.slackWebhook()}`],
    quiet: ['SLACK_BOT_TOKEN=xoxb-your-bot-token', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
  },
  'secret.stripe_key': {
    fire: [`stripe.api_key = "${f.stripeLive()}"`],
    quiet: ['stripe.api_key = "sk_live_..."', 'stripe.api_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"'],
  },
  'secret.google_api_key': { fire: [`GOOGLE_API_KEY=${f.google()}`], quiet: ['GOOGLE_API_KEY=AIza...', 'AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
  'secret.huggingface_token': { fire: [`HF_TOKEN=${f.huggingface()}`], quiet: ['HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'hf_hub_download(repo_id="x")'] },
  'secret.npm_token': { fire: [`//registry.npmjs.org/:_authToken=${f.npm()}`], quiet: ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}'] },
  'secret.pypi_token': { fire: [`password = ${f.pypi()}`], quiet: ['password = pypi-AgEI...'] },
  'secret.groq_key': { fire: [`GROQ_API_KEY=${f.groq()}`], quiet: ['GROQ_API_KEY=gsk_...'] },
  'secret.xai_key': { fire: [`XAI_API_KEY=${f.xai()}`], quiet: ['XAI_API_KEY=xai-...'] },
  'secret.sendgrid_key': { fire: [`SENDGRID_API_KEY=${f.sendgrid()}`], quiet: ['SENDGRID_API_KEY=SG.xxxxx.yyyyy'] },
  'secret.digitalocean_token': { fire: [`DO_TOKEN=${f.digitalocean()}`], quiet: ['DO_TOKEN=dop_v1_...'] },
  'secret.telegram_bot_token': { fire: [`bot = Bot("${f.telegram()}")`], quiet: ['bot = Bot("123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11")'] },
  'secret.sentry_dsn': { fire: [`SENTRY_DSN=${f.sentryDsn()}`], quiet: ['SENTRY_DSN=https://examplePublicKey@o0.ingest.sentry.io/0'] },
  'secret.azure_storage_key': { fire: [`DefaultEndpointsProtocol=https;AccountName=prodlogs;${f.azureKey()};EndpointSuffix=core.windows.net`], quiet: ['AccountKey=<storage-account-key>'] },
  'secret.private_key': {
    fire: [`client-key-data: ${b64(fake('pem5').pem(''))}`, f.pem(), fake('pem2').pem('OPENSSH '), fake('pem3').pem('EC '), `{"type": "service_account", "private_key": "${fake('pem4').pem('').replace(/\n/g, '\\n')}"}`],
    quiet: [`client-certificate-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIC' + f.token(60))}`, 
      '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----',
      'Paste the contents between -----BEGIN RSA PRIVATE KEY----- and -----END RSA PRIVATE KEY----- into the field.',
    ],
  },
  'secret.password_assignment': {
    fire: ['web01 ansible_host=10.1.2.11 ansible_ssh_pass=Wm3qZ8vLx2', 'DB_PASS=Kq8!vZ2mR', 'docker login -u ci -p Zr8vK2mQx7 registry.acme.io', 'vault login -method=userpass username=ops --password Zr8vK2mQx7', 'mysql -h db-prod -u root -pQx7mZ2vLw9 shop', 'sshpass -p Kw9zQm2x ssh deploy@10.0.0.5', 'db-prod.internal:5432:analytics:analyst:Pz8vR2qLm4', 
      'password = "Xk9#mq2!vL"',
      '{"username": "svc-backup", "password": "Zq8!vPm2xR"}',
      'DB_PASSWORD=Qm3vX9pL2',
      'database:\n  host: db.internal\n  password: Kx82!mzQ\n',
      'jdbc:mysql://db01:3306/app?user=app&password=Zx81kqW',
      'fyi my password is Tr0ub4dor&3x, change it later',
      'export PGPASSWORD=Wq7rT2zN',
    ],
    quiet: ['bypass = True', 'docker login -u ci --password-stdin registry.acme.io', 'compass: north-north-east', 'mysql -u root -p shop', 'mysqldump -u app -p"$MYSQL_PWD" app', 'subtitle 00:01:02:03:1234', 'localhost:5432:*:postgres:postgres', 
      'password = os.environ["DB_PASSWORD"]',
      'class User(BaseModel):\n    email: str\n    password: str',
      'interface Login { password: string; }',
      'password = None',
      '"password": ""',
      '"password": "********"',
      'password: ${{ secrets.DB_PASSWORD }}',
      'password: "<your password>"',
      'login(user="admin", password="password123")',
      'PASSWORD_MIN_LENGTH = 12',
      'const password = process.env.DB_PASSWORD;',
      "password = request.form['password']",
      'password: z.string().min(8)',
      'PASSWORD_FILE=/run/secrets/db_password',
      'The password is required and must be at least 12 characters.',
      'ansible_become_password: !vault |',
    ],
  },
  'secret.connection_string': {
    fire: ['DATABASE_URL=postgres://app:Zq8vPm2x@db.prod.internal:5432/app', 'mongodb+srv://svc:K9xpq2Lm7@cluster0.ab12c.mongodb.net/orders', 'REDIS_URL=redis://:p4ss8Wq2z@redis-prod:6379/0'],
    quiet: [
      'postgres://user:password@localhost/db',
      'postgres://postgres:postgres@localhost:5432/test',
      'mysql://root:${MYSQL_PASSWORD}@db/app',
      'mongodb+srv://admin:<password>@cluster0.mongodb.net',
      'https://user:pass@example.com/path',
      'postgres://app:***@db.prod.internal/app',
    ],
  },
  'secret.jwt': {
    fire: [`Cookie: session=${f.jwt({ email_verified: true })}`],
    quiet: [
      // jwt.io's published example token
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      'tokens start with eyJhbGciOi... because the header is base64 JSON',
      `${b64('{"hello":"world"}')}.${b64('{"a":1}')}.abcdefabcdefabcdef`,
    ],
  },
  'secret.bearer_token': {
    fire: [`curl -H "Authorization: Bearer ${f.token(40)}" https://api.internal/v1/me`, `Authorization: Basic ${b64('deploy:Zq8vPm2xK9')}`],
    quiet: ['Authorization: Bearer YOUR_ACCESS_TOKEN', 'Authorization: Bearer ${token}', 'Authorization: Bearer <token>', `Authorization: Basic ${b64('user:pass')}`, 'Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
  },
  'secret.generic_assignment': {
    fire: ["SECRET_KEY = 'q8#z!m2v@x7p$k9w^r4t&y1u*e6i(o3)s5d'", `{"name": "x-api-key", "value": "${fake('har').token(40)}"}`, 'env:\n  - name: DB_PASSWORD\n    value: "Kq8!vZ2mLx"', `API_KEY=${f.token(32)}`, `{"client_secret": "${fake('cs').token(40)}"}`, `x-api-key: ${fake('xk').token(32)}`, `config.auth_token = '${fake('at').hex(40)}'`],
    quiet: ["SECRET_KEY = 'change me before you deploy'", "SECRET_KEY = '${DJANGO_SECRET_KEY}'", 'env:\n  - name: LOG_LEVEL\n    value: debug-verbose-2024-x', 'env:\n  - name: API_KEY\n    valueFrom:\n      secretKeyRef: {name: api, key: key}', 
      'API_KEY=YOUR_API_KEY',
      'max_tokens = 4096',
      'tokenizer = "bert-base-uncased-v2-2024"',
      'api_key = os.environ["OPENAI_API_KEY"]',
      'page_token = "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0MmEwdHIQAA"',
      'secret_name = "prod/db/credentials-2024"',
      'csrf_token = "{{ csrf_token() }}"',
      `request_id = "${f.uuid()}"`,
    ],
  },
  'pii.email': {
    fire: ['GET /reset?email=maria.lopez%40posteo.net HTTP/1.1', `Contact: ${f.email('maria.garcia')}`, 'Reply to <tom.hanssen@nordbank.de> by Friday', 'mailto:k.ito@fastmail.fm'],
    quiet: ['GET /reset?email=user%40example.com', 'user@example.com', 'alice@test.com wrote the test', 'noreply@github.com', 'git clone git@github.com:org/repo.git', 'icon@2x.png', "import { Module } from '@nestjs/common'", 'ssh ubuntu@ec2-3-4-5-6.compute.amazonaws.com', 'npm i lodash@4.17.21'],
  },
  'pii.phone': {
    fire: [`Call me on ${f.phoneUs()}`, `mobile ${f.phoneIntl()}`, `tél : ${f.phoneFr()}`, 'Tel: 030 47281936', 'Phone number: 0612 345 678'.replace('345 678', '485 273')],
    quiet: ['+1 555 0100', '+1 415 555 0132', 'version 1.22.333', 'released 2024-01-15 10:30:00', 'server 192.168.100.200', 'call +1234567890', '(415) 555-0123', 'order 4155552671 shipped', 'mobile apps serve 4829173 users', 'timestamp 1717000000'],
  },
  'pii.payment_card': {
    fire: [`card ${f.card('4')}`, `Card: ${f.cardSpaced('5')}`, `amex ${fake('amex').card('37', 15)}`],
    quiet: ['4242 4242 4242 4242', 'test with 4111111111111111', `luhn fails: ${f.card('4').slice(0, 15)}${(Number(f.card('4').slice(15)) + 1) % 10}`, '1234 5678 9012 3456', 'ratio 0.4539578763621486', 'order id 9876543212345678'],
  },
  'pii.iban': {
    fire: [`IBAN: ${f.iban('DE')}`, `pay to ${f.ibanSpaced('GB')} today`, `FR iban ${fake('fr').iban('FR')}`],
    quiet: ['GB82 WEST 1234 5698 7654 32', 'DE89 3704 0044 0532 0130 00', `bad check ${f.iban('DE').slice(0, 4)}${((Number(f.iban('DE')[4]) + 1) % 10).toString()}${f.iban('DE').slice(5)}`, 'DE00 1234 5678 9012 3456 78'],
  },
  'pii.bank_account': {
    fire: ['Please pay to sort code 40-47-84, account number 71239956.', 'Account no: 31926819, sort code: 60-16-13', 'wire to routing number 021000021 account 4829173650'],
    quiet: ['sort code 12-34-56 account 12345678', 'routing number 123456789 account 4829173650', 'What is a sort code and where do I find it?'],
  },
  'pii.passport_number': {
    fire: ['passport no. C4J7X2N91', 'Passport number: 533380006'],
    quiet: ['passport number: XXXXXXXXX', 'passport no. 123456789', 'passport holders need a visa', 'passport photo size is 35x45 mm'],
  },
  'pii.date_of_birth': {
    fire: ['Patient Ruth Adler, DOB 04/12/1961', 'Graham Pierce, born 17 August 1958, 41 Quarry Road', '{"date_of_birth": "1984-03-02"}'],
    quiet: ["const user = { dob: '1990-01-01' }", 'Python was born in 1991', 'birthday party ideas for a 7-year-old', 'born on January 1, 2000'],
  },
  'pii.us_ssn': {
    fire: [`SSN ${f.ssn()}`, 'social security number: 536228761'],
    quiet: ['123-45-6789', '000-12-3456', '666-12-3456', '900-12-3456', 'case 2024-11-0042'],
  },
  'pii.uk_nino': { fire: [`NI number ${f.nino()}`, 'NINO: JK 07 09 57 C'], quiet: ['e.g. AB123456C', 'QQ123456C', 'GB123456A', 'DA123456A'] },
  'pii.es_dni': {
    fire: [`DNI ${f.dni()}`],
    quiet: [`DNI ${f.dni().slice(0, 8)}${f.dni().endsWith('A') ? 'B' : 'A'}`],
  },
  'pii.it_codice_fiscale': {
    fire: [`codice fiscale ${f.codiceFiscale()}`],
    quiet: [`codice fiscale ${f.codiceFiscale().slice(0, 15)}${f.codiceFiscale().endsWith('A') ? 'B' : 'A'}`],
  },
  'pii.br_cpf': { fire: [`CPF ${f.cpf()}`], quiet: ['CPF 111.111.111-11', 'CPF 123.456.789-00'] },
  'pii.fr_nir': { fire: [`NIR ${f.nir()}`], quiet: [`NIR ${f.nir().slice(0, -2)}${((Number(f.nir().slice(-2)) + 1) % 97).toString().padStart(2, '0')}`] },
  'pii.in_aadhaar': { fire: [`Aadhaar ${f.aadhaar()}`], quiet: ['1234 5678 9012', `Aadhaar ${f.aadhaar().slice(0, -1)}${(Number(f.aadhaar().slice(-1)) + 1) % 10}`] },
  'pii.nl_bsn': { fire: [`BSN: ${f.bsn()}`], quiet: [`reference ${f.bsn()}`, 'BSN: 123456789'] },
  'marker.confidential': {
    fire: ['CONFIDENTIAL — Q3 board deck', 'This document is strictly confidential.', 'Internal use only', 'Proprietary and confidential. Do not distribute.', 'shared under NDA with the vendor'],
    quiet: ['How do I mark a Word document as confidential?', 'What is confidential computing on Azure?', 'OAuth confidential clients must keep their secret safe', 'enum Level { PUBLIC, INTERNAL, CONFIDENTIAL }', '// internal only helper', 'if (doc.level === Level.CONFIDENTIAL) {'],
  },
  'marker.classification_label': {
    fire: ['Classification: Restricted', 'TLP:AMBER', '[PII] export of signups', 'data_classification = "confidential"'],
    quiet: ['classification: image', 'TLP:CLEAR', 'a text classification model', 'classification = "spam"'],
  },
  'marker.customer_data': {
    fire: ['Here are our customer records from the CRM:', 'This export contains PII, handle carefully.', 'PII: names and emails below', 'below is the patient data for ward 3'],
    quiet: ['How do I detect PII in logs?', 'Write a function that redacts customer data before logging', 'We publish the dataset with PII removed', 'Does this dataset contain PII?'],
  },
  'marker.personal_records': {
    fire: [
      'first_name,last_name,email,phone\nAnna,Schmidt,anna.s@posteo.net,+49 151 2345 6789\nLuca,Bianchi,luca.b@libero.it,+39 347 123 4567',
      'id;full_name;date_of_birth\n1;Anna Schmidt;1984-03-02\n2;Luca Bianchi;1990-07-21',
      '[{"name": "Anna Schmidt", "email": "anna.s@posteo.net"}, {"name": "Luca Bianchi", "email": "luca.b@libero.it"}]',
    ],
    quiet: [
      'name,email\nAlice,alice@example.com\nBob,bob@example.com',
      'name,address\nweb1,10.0.0.1\nweb2,10.0.0.2',
      '{"name": "Anna", "email": "anna@example.org"}',
      '[{"name": "web1", "address": "10.0.0.1"}, {"name": "web2", "address": "10.0.0.2"}]',
    ],
  },
};

describe('privacy detector rules', () => {
  it('covers every rule of the catalogue with cases', () => {
    expect(Object.keys(CASES).sort()).toEqual(PRIVACY_RULES.map((r) => r.id).sort());
  });

  describe.each(Object.entries(CASES))('%s', (rule, { fire, quiet }) => {
    it.each(fire.map((t) => [t]))('fires on %j', (text) => {
      expect(rulesIn(text)).toContain(rule);
    });
    it.each(quiet.map((t) => [t]))('stays quiet on %j', (text) => {
      expect(rulesIn(text)).toEqual([]);
    });
  });
});

describe('near-misses that must not fire', () => {
  const uuid = f.uuid();
  it.each([
    ['UUIDs', `request ${uuid} failed; trace ${fake('u2').uuid()}`],
    ['git commit hashes', `git checkout ${f.hex(40)} && git cherry-pick ${fake('h2').hex(7)}; sha256 ${fake('h3').hex(64)}`],
    ['hex colours', 'body { color: #ff00aa; background: #1e1e2e; border-color: #FFF; }'],
    ['version strings', 'node v20.11.1, npm 10.2.4, kernel 6.5.0-1015-azure, python 3.12.1, build 2024.01.15.1234'],
    ['placeholders', 'export OPENAI_API_KEY=sk-... # or YOUR_API_KEY; token=<token>; password=********'],
    ['documentation addresses', 'Send a test to user@example.com or admin@example.org (RFC 2606 domains).'],
    ['lorem ipsum', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.'],
    ['a base64 image data URL', `<img src="data:image/png;base64,${Buffer.from(f.openai() + ' ' + f.email() + ' ' + f.card()).toString('base64')}" />`],
    ['IPv4 and IPv6 addresses', 'nginx upstream 10.0.3.17:8080 and 2001:db8::1; client 203.0.113.9'],
    ['ISO timestamps and durations', '2024-05-06T12:34:56.789Z took 1234.5678 ms (p99 98765 µs)'],
    ['random base64 blob', Buffer.from(fake('blob').token(3000)).toString('base64')],
  ])('%s', (_name, text) => {
    expect(rulesIn(text)).toEqual([]);
  });
});

describe('detectPrivateData', () => {
  const secret = f.awsKeyId();
  const email = f.email('lena.berg');

  it('reports rule, category, message index and location, never the matched text', () => {
    const text = `key: ${secret} and mail ${email}`;
    const d = detectPrivateData(req(text));
    expect(d.private).toBe(true);
    expect(d.findings).toEqual([
      { rule: 'secret.aws_key', category: 'credential', messageIndex: 0, location: { part: 'content', offset: 5, length: secret.length } },
      { rule: 'pii.email', category: 'personal', messageIndex: 0, location: { part: 'content', offset: text.indexOf(email), length: email.length } },
    ]);
    const json = JSON.stringify(d);
    expect(json).not.toContain(secret);
    expect(json).not.toContain(email);
  });

  it('scans every role, earlier turns, tool results, tool-call arguments and text parts', () => {
    const r: ChatCompletionRequest = {
      model: 'autoselect/x',
      messages: [
        { role: 'system', content: `You may use ${fake('sys').github()}` },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: JSON.stringify({ to: email }) } }] },
        { role: 'tool', tool_call_id: 'c1', content: `DATABASE_URL=postgres://app:Zq8vPm2x@db.prod.internal/app` },
        { role: 'user', content: [{ type: 'text', text: 'look at this' }, { type: 'image_url', image_url: { url: `https://cdn.internal/x.png?sig=1&token=${fake('img').token(32)}` } }] },
        { role: 'user', content: [{ type: 'text', text: `and the card ${f.card()}` }] },
      ],
    };
    const d = detectPrivateData(r);
    expect(d.findings.map((x) => [x.messageIndex, x.location.part, x.rule])).toEqual([
      [0, 'content', 'secret.github_token'],
      [2, 'tool_calls[0].function.arguments', 'pii.email'],
      [3, 'content', 'secret.connection_string'],
      [4, 'content[1].image_url', 'secret.generic_assignment'],
      [5, 'content[0].text', 'pii.payment_card'],
    ]);
  });

  it('does not read image bytes', () => {
    const data = `data:image/jpeg;base64,${Buffer.from(`${secret} ${email}`).toString('base64')}`;
    expect(detectPrivateData({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: data } }] }] }).private).toBe(false);
  });

  it('drops a generic match that a specific rule already covers', () => {
    expect(rulesIn(`OPENAI_API_KEY="${f.openai()}"`)).toEqual(['secret.openai_key']);
    expect(rulesIn(`Authorization: Bearer ${f.jwt()}`)).toEqual(['secret.jwt']);
  });

  it('is not private for an ordinary coding question', () => {
    expect(detectPrivateData(req('How do I debounce a function in TypeScript without lodash?'))).toEqual({ private: false, findings: [] });
  });

  it('caps the number of findings', () => {
    const many = Array.from({ length: 100 }, (_, i) => fake(`m${i}`).email('p')).join(' ');
    expect(detectPrivateData(req(many), { maxFindings: 10 }).findings).toHaveLength(10);
  });

  it.each([
    ['repeated CSV headers', 'name,email\n'],
    ['IBAN-like groups', 'AB12 '],
    ['assignment chains', 'password='],
    ['spaced digits', '4 '],
    ['email-like fragments', 'a@a.'],
  ])('stays linear on adversarial input: %s', (_name, unit) => {
    const text = unit.repeat(Math.ceil(300_000 / unit.length));
    const t0 = Date.now();
    detectPrivateData(req(text));
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stays fast on a large prompt', () => {
    const chunk = `const x = ${f.uuid()}; // ${fake('big').token(40)} 1.2.3 #fff 2024-01-01 user@example.com\n`;
    const big = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
    const t0 = Date.now();
    detectPrivateData(req(big));
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
