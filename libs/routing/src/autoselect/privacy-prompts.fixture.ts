/**
 * A labelled set of realistic prompts for the privacy detector: `private` ones carry credentials, personal data or
 * customer data; `ordinary` ones are everyday requests, including the look-alikes that must not trip it (UUIDs,
 * hashes, test data, documentation keys). Secrets are generated at run time (fake-data.fixture.ts). Labels are what a
 * careful human reviewer would say, not what the detector says: misses and false alarms are expected and reported by
 * privacy-eval.ts.
 */
import type { ChatCompletionRequest, ChatMessage } from '@aisbf/contracts';
import { fake } from './fake-data.fixture';

export interface LabelledPrompt {
  id: string;
  label: 'private' | 'ordinary';
  /**
   * `tuning`: written first, its misses drove rule fixes. `holdout-1`: written after that round and measured untouched
   * (12/18 private detected, 18/18 ordinary passed), then its misses drove a second round of general fixes.
   * `holdout-2`: written after the second round, never tuned on.
   */
  set: 'tuning' | 'holdout-1' | 'holdout-2';
  about: string;
  request: Pick<ChatCompletionRequest, 'messages' | 'tools'>;
}

const u = (content: string): Pick<ChatCompletionRequest, 'messages'> => ({ messages: [{ role: 'user', content }] });
const conv = (...messages: ChatMessage[]): Pick<ChatCompletionRequest, 'messages'> => ({ messages });
const b64 = (s: string) => Buffer.from(s).toString('base64');

const k = (seed: string) => fake(seed);

const PRIVATE: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  {
    id: 'p01',
    about: 'python script with a hard-coded OpenAI key',
    request: u(`Why does this return 401?\n\nfrom openai import OpenAI\nclient = OpenAI(api_key="${k('p01').openai()}")\nprint(client.models.list())`),
  },
  {
    id: 'p02',
    about: '.env file with Stripe live key and database URL',
    request: u(`Can you turn this .env into a Kubernetes secret manifest?\n\nNODE_ENV=production\nSTRIPE_SECRET_KEY=${k('p02').stripeLive()}\nDATABASE_URL=postgres://shop:Hq72mXv9Lp@db-prod.internal:5432/shop\nREDIS_URL=redis://redis-prod:6379`),
  },
  {
    id: 'p03',
    about: 'docker-compose with a literal database password',
    request: u(`services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: billing\n      POSTGRES_PASSWORD: Vq8#Lm2pXz71\n  api:\n    build: .\n\nwhy does the api container fail to connect?`),
  },
  {
    id: 'p04',
    about: 'AWS credentials file',
    request: u(`my ~/.aws/credentials looks like this, but boto3 says InvalidClientTokenId:\n[default]\naws_access_key_id = ${k('p04').awsKeyId()}\naws_secret_access_key = ${k('p04b').awsSecret()}\nregion = eu-west-1`),
  },
  {
    id: 'p05',
    about: 'CI log that printed a GitHub token',
    request: u(`CI fails at the push step, log:\n2024-05-02T10:11:12Z + git remote set-url origin https://x-access-token:${k('p05').github()}@github.com/acme/api.git\n2024-05-02T10:11:13Z remote: Permission to acme/api.git denied to github-actions[bot].\nwhat permission is missing?`),
  },
  {
    id: 'p06',
    about: 'nginx access log with emails in query strings',
    request: u(`Find the slow requests:\n203.0.113.41 - - [02/May/2024:10:12:01 +0000] "GET /api/reset?email=${encodeURIComponent(k('p06').email('sofia.lind'))} HTTP/1.1" 200 512 4.211\n198.51.100.7 - - [02/May/2024:10:12:03 +0000] "GET /api/reset?email=${encodeURIComponent(k('p06b').email('omar.haddad'))} HTTP/1.1" 200 498 0.032`),
  },
  {
    id: 'p07',
    about: 'application log with a bearer token',
    request: u(`[2024-05-02 10:13:44] DEBUG http.client: send: b'GET /v2/accounts HTTP/1.1\\r\\nHost: api.partner.io\\r\\nAuthorization: Bearer ${k('p07').token(48)}\\r\\n'\n[2024-05-02 10:13:45] ERROR 403 Forbidden\nwhat does 403 mean here?`),
  },
  {
    id: 'p08',
    about: 'SQLAlchemy stack trace with a DSN',
    request: u(`Traceback (most recent call last):\n  File "/srv/app/db.py", line 14, in <module>\n    engine = create_engine("postgresql+psycopg2://reporting:Xk29vLq8Wn@10.20.0.15:5432/warehouse")\nsqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "10.20.0.15", port 5432 failed: timeout expired`),
  },
  {
    id: 'p09',
    about: 'Sentry DSN in a settings file',
    request: u(`sentry_sdk.init(\n    dsn="${k('p09').sentryDsn()}",\n    traces_sample_rate=0.2,\n)\nevents are not showing up, why?`),
  },
  {
    id: 'p10',
    about: 'CSV of customers with emails and phones',
    request: u(`Deduplicate these customers:\ncustomer_id,first_name,last_name,email,phone\n1001,Maria,Lopez,${k('p10a').email('maria.lopez')},+34 612 48 93 27\n1002,Maria,López,${k('p10b').email('m.lopez')},+34 612 48 93 27\n1003,Jonas,Berg,${k('p10c').email('jonas.berg')},+46 70 123 45 88`),
  },
  {
    id: 'p11',
    about: 'JSON export of users',
    request: u(`Write a migration for this shape:\n[\n  {"id": 1, "name": "Chloe Martin", "email": "${k('p11a').email('chloe.martin')}", "created": "2023-11-02"},\n  {"id": 2, "name": "Kenji Sato", "email": "${k('p11b').email('kenji.sato')}", "created": "2024-01-17"}\n]`),
  },
  {
    id: 'p12',
    about: 'support ticket with name, email, phone',
    request: u(`Draft a reply to this ticket:\nFrom: Priya Raman <${k('p12').email('priya.raman')}>\nPhone: ${k('p12').phoneUs()}\nSubject: refund for order 88213\nHi, I was charged twice for my order. Please refund the second charge.`),
  },
  {
    id: 'p13',
    about: 'letter to a customer with their IBAN',
    request: u(`Polish this letter: "Dear Mr. Keller, we will refund EUR 240.00 to your account ${k('p13').ibanSpaced('DE')} within 5 business days."`),
  },
  {
    id: 'p14',
    about: 'HR record with an SSN',
    request: u(`Fill the W-4 summary for: Daniel Brooks, SSN ${k('p14').ssn()}, filing status single, 2 dependents.`),
  },
  {
    id: 'p15',
    about: 'patient note with phone',
    request: u(`Summarise for handover: Patient Ruth Adler, DOB 04/12/1961, MRN 00482913, admitted with chest pain, daughter reachable at (617) 383-2210.`),
  },
  {
    id: 'p16',
    about: 'curl with a JWT',
    request: u(`curl -s https://api.internal.acme.io/v1/orders -H "Authorization: Bearer ${k('p16').jwt({ email: 'ops@acme.io', role: 'admin' })}" returns 401 since yesterday, what changed?`),
  },
  {
    id: 'p17',
    about: 'private SSH key pasted',
    request: u(`ssh says "invalid format" for this key, what's wrong?\n${k('p17').pem('OPENSSH ')}`),
  },
  {
    id: 'p18',
    about: 'GCP service account JSON',
    request: u(`{\n  "type": "service_account",\n  "project_id": "acme-prod-311209",\n  "private_key_id": "${k('p18').hex(40)}",\n  "private_key": "${k('p18b').pem('').replace(/\n/g, '\\n')}",\n  "client_email": "deployer@acme-prod-311209.iam.gserviceaccount.com"\n}\nhow do I use this from GitHub Actions?`),
  },
  {
    id: 'p19',
    about: 'Slack webhook in a bash script',
    request: u(`#!/bin/bash\ncurl -X POST -H 'Content-type: application/json' --data '{"text":"deploy done"}' ${k('p19').slackWebhook()}\n\nmake this retry 3 times`),
  },
  {
    id: 'p20',
    about: 'terraform.tfvars with secrets',
    request: u(`terraform plan complains about a variable. tfvars:\nregion         = "eu-central-1"\ndb_password    = "Tz4!qLm9Rw"\ndatadog_api_key = "${k('p20').hex(32)}"`),
  },
  {
    id: 'p21',
    about: 'git remote URL with a GitLab token',
    request: u(`git push fails:\n$ git remote -v\norigin  https://oauth2:${k('p21').gitlab()}@gitlab.com/acme/infra.git (fetch)`),
  },
  {
    id: 'p22',
    about: 'kubeconfig with embedded client key (base64)',
    request: u(`kubectl says "x509: certificate signed by unknown authority":\nusers:\n- name: admin\n  user:\n    client-certificate-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIC' + k('p22').token(60))}\n    client-key-data: ${b64(k('p22b').pem(''))}`),
  },
  {
    id: 'p23',
    about: 'confidential memo',
    request: u(`CONFIDENTIAL — Project Falcon\nThe board approved the acquisition of Nordlicht GmbH at 4.2x ARR. Announcement planned for 14 June.\n\nRewrite this as three bullet points for the exec team.`),
  },
  {
    id: 'p24',
    about: 'internal-only roadmap',
    request: u(`Internal use only.\nQ3 roadmap: deprecate v1 billing API, migrate top 20 accounts by hand, price increase of 8% for legacy plans.\nTurn this into a slide outline.`),
  },
  {
    id: 'p25',
    about: 'document with a classification label',
    request: u(`Classification: Restricted\nIncident 2024-031: a misconfigured bucket exposed invoices of 1,200 customers for 3 days.\nWrite the customer notification email.`),
  },
  {
    id: 'p26',
    about: 'payment debug log with a card number',
    request: u(`payment failed, gateway log:\n{"amount": 4999, "currency": "EUR", "card_number": "${k('p26').card('5')}", "exp": "09/27", "result": "do_not_honor"}\nwhat does do_not_honor mean?`),
  },
  {
    id: 'p27',
    about: 'delivery complaint with phone and address',
    request: u(`Answer politely: "This is the third time my parcel went to the wrong door. I live at 27 Rowan Court, Leeds LS6 2QA, call me on 07700 912 345 or ${k('p27').phoneIntl()} before delivery."`),
  },
  {
    id: 'p28',
    about: 'payroll question with a NI number',
    request: u(`Employee Tom Avery (NI number ${k('p28').nino()}) changed tax code from 1257L to BR, what does BR mean for his next payslip?`),
  },
  {
    id: 'p29',
    about: 'form with a Spanish DNI',
    request: u(`Rellena el formulario: nombre Lucía Fernández, DNI ${k('p29').dni()}, domicilio Calle Mayor 12, Madrid.`),
  },
  {
    id: 'p30',
    about: 'registration log with a CPF',
    request: u(`Erro no cadastro: {"nome": "Ana Souza", "cpf": "${k('p30').cpf()}", "erro": "CPF já cadastrado"}. Como tratar esse caso?`),
  },
  {
    id: 'p31',
    about: 'KYC document with an Aadhaar number',
    request: u(`Extract the fields: Name: Rahul Verma, Aadhaar: ${k('p31').aadhaar()}, Address: 14 MG Road, Pune.`),
  },
  {
    id: 'p32',
    about: 'French social security number',
    request: u(`Mon numéro de sécu est ${k('p32').nir()}, la CPAM dit qu'il est invalide, pourquoi ?`),
  },
  {
    id: 'p33',
    about: 'Dutch BSN in a letter',
    request: u(`Vertaal naar het Engels: "Uw burgerservicenummer (BSN) ${k('p33').bsn()} is gekoppeld aan uw DigiD."`),
  },
  {
    id: 'p34',
    about: 'multi-turn: key in an earlier turn, innocuous last turn',
    request: conv(
      { role: 'user', content: `why does this fail? HF_TOKEN=${k('p34').huggingface()} python train.py` },
      { role: 'assistant', content: 'The token looks fine; the error is about the dataset path.' },
      { role: 'user', content: 'ok thanks, rename the variable to hub_token' },
    ),
  },
  {
    id: 'p35',
    about: 'tool result with customer emails',
    request: conv(
      { role: 'user', content: 'Which customers churned last week?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'sql', arguments: '{"q":"select email from customers where churned_at > now() - interval 7 day"}' } }] },
      { role: 'tool', tool_call_id: 't1', content: `[["${k('p35a').email('l.meyer')}"],["${k('p35b').email('a.nowak')}"],["${k('p35c').email('j.costa')}"]]` },
    ),
  },
  {
    id: 'p36',
    about: 'tool-call arguments with an email',
    request: conv(
      { role: 'user', content: 'Send the invoice to the client' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't2', type: 'function', function: { name: 'send_invoice', arguments: `{"to": "${k('p36').email('finance.team')}", "invoice": "INV-2024-118"}` } }] },
      { role: 'tool', tool_call_id: 't2', content: '{"status":"queued"}' },
      { role: 'user', content: 'did it go out?' },
    ),
  },
  {
    id: 'p37',
    about: 'system prompt holding an API key for a tool',
    request: conv(
      { role: 'system', content: `You are a helpdesk bot. To look up orders call https://orders.internal/api with header X-API-Key: ${k('p37').token(32)}` },
      { role: 'user', content: 'where is my order?' },
    ),
  },
  {
    id: 'p38',
    about: '.npmrc with a token',
    request: u(`npm install fails with E401:\n@acme:registry=https://npm.pkg.github.com\n//registry.npmjs.org/:_authToken=${k('p38').npm()}`),
  },
  {
    id: 'p39',
    about: 'Mongo connection string in Node code',
    request: u(`const client = new MongoClient("mongodb+srv://orders-svc:Wm8qZ2xKp4@cluster0.x7k2p.mongodb.net/orders?retryWrites=true");\nawait client.connect(); // hangs forever`),
  },
  {
    id: 'p40',
    about: 'Telegram bot token',
    request: u(`import telebot\nbot = telebot.TeleBot("${k('p40').telegram()}")\n@bot.message_handler(commands=['start'])\ndef start(m): bot.reply_to(m, "hi")\nbot.polling()\n\nhow to make it async?`),
  },
  {
    id: 'p41',
    about: 'Anthropic key in a TypeScript file',
    request: u(`import Anthropic from '@anthropic-ai/sdk';\nconst anthropic = new Anthropic({ apiKey: '${k('p41').anthropic()}' });\n// how do I stream?`),
  },
  {
    id: 'p42',
    about: 'VPN password in prose',
    request: u(`I can't connect to the office VPN. Username jdoe, my password is Autumn#2024x. Is the server vpn.acme.io down?`),
  },
  {
    id: 'p43',
    about: 'SQL dump with personal data',
    request: u(`INSERT INTO users (id, name, email, phone) VALUES\n(1, 'Hannah Wright', '${k('p43a').email('hannah.wright')}', '+1 312 555 7781'),\n(2, 'Diego Ramos', '${k('p43b').email('diego.ramos')}', '+52 55 1234 9876');\n-- convert to Postgres`),
  },
  {
    id: 'p44',
    about: 'git log with author emails',
    request: u(`Summarise what changed:\ncommit ${k('p44').hex(40)}\nAuthor: Petra Novak <${k('p44').email('petra.novak')}>\nDate:   Mon Apr 29 10:02:11 2024 +0200\n\n    fix race in session refresh`),
  },
  {
    id: 'p45',
    about: 'email signature with contact details',
    request: u(`Make this email shorter:\n"Hi team, the vendor call moved to Thursday. Best, Marco Rossi | Head of Procurement | ${k('p45').email('marco.rossi')} | mobile ${k('p45').phoneIntl()}"`),
  },
  {
    id: 'p46',
    about: 'CV text with phone and email',
    request: u(`Improve my CV header:\nELENA PETROVA\nSenior Data Engineer · Berlin\n${k('p46').email('elena.petrova')} · +49 1522 384 9127 · linkedin.com/in/epetrova`),
  },
  {
    id: 'p47',
    about: 'invoice with IBAN and address',
    request: u(`Check this invoice for errors:\nBill to: Studio Hartmann, Lindenstr. 4, 10969 Berlin\nBank: ${k('p47').iban('DE')}\nTotal due: 1,980.00 EUR`),
  },
  {
    id: 'p48',
    about: 'basic-auth header in a curl command',
    request: u(`curl -H "Authorization: Basic ${b64('jenkins:Rk7vQ2mX9z')}" https://ci.acme.io/job/deploy/build returns 403`),
  },
  {
    id: 'p49',
    about: 'Azure storage connection string',
    request: u(`BlobServiceClient.from_connection_string("DefaultEndpointsProtocol=https;AccountName=acmelogs;${k('p49').azureKey()};EndpointSuffix=core.windows.net") raises AuthenticationFailed`),
  },
  {
    id: 'p50',
    about: 'health details about a named neighbour (no identifiers)',
    request: u(`My neighbour Sarah Connolly at 14 Elm Street was just diagnosed with stage 3 breast cancer. How can I support her without being intrusive?`),
  },
  {
    id: 'p51',
    about: 'customer complaint with name and order number only',
    request: u(`Customer Jane Whitfield (order #448812, Gold tier since 2019) says the replacement blender also broke. Write a goodwill offer.`),
  },
  {
    id: 'p52',
    about: 'session cookie JWT in a browser log',
    request: u(`Set-Cookie: auth=${k('p52').jwt({ uid: 88213 })}; Path=/; HttpOnly; Secure\nwhy is the cookie not sent on the next request?`),
  },
  {
    id: 'p53',
    about: 'Stripe webhook secret in code',
    request: u(`const endpointSecret = '${['whsec', k('p53').token(32)].join('_')}';\nconst event = stripe.webhooks.constructEvent(body, sig, endpointSecret); // No signatures found`),
  },
  {
    id: 'p54',
    about: '.pgpass line (no key names)',
    request: u(`psql still asks for a password, my ~/.pgpass is:\ndb-prod.internal:5432:analytics:analyst:Pz8vR2qLm4\nand permissions are 0644`),
  },
  {
    id: 'p55',
    about: 'password on a mysql command line',
    request: u(`mysql -h db-prod.internal -u root -pQx7mZ2vLw9 shop -e "select count(*) from orders" says access denied`),
  },
  {
    id: 'p56',
    about: 'unknown-provider API key assigned to a key name',
    request: u(`MISTRAL_API_KEY=${k('p56').token(32)}\nmistral chat --model mistral-large "hello" gives 401`),
  },
  {
    id: 'p57',
    about: 'customer data marker with names',
    request: u(`Here are our customer records from Salesforce, group them by industry:\nNordwind Logistik — Klaus Becker\nBlue Harbor Foods — Aisha Khan\nTerraform Labs — Ivan Petrov`),
  },
  {
    id: 'p58',
    about: 'HAR excerpt with an API key header',
    request: u(`"request": {"method": "POST", "url": "https://api.weatherpro.io/v3/forecast", "headers": [{"name": "x-api-key", "value": "${k('p58').token(40)}"}]}`),
  },
  {
    id: 'p59',
    about: 'Google API key in an Android manifest',
    request: u(`<meta-data android:name="com.google.android.geo.API_KEY" android:value="${k('p59').google()}"/>\nthe map shows grey tiles`),
  },
  {
    id: 'p60',
    about: 'employee list with dates of birth (CSV)',
    request: u(`Compute ages:\nemployee_id;full_name;date_of_birth;department\n17;Ingrid Olsen;1979-02-11;Finance\n18;Mateo Silva;1992-08-30;Sales\n19;Yuki Tanaka;1988-12-03;R&D`),
  },
  {
    id: 'p61',
    about: 'OpenAI key inside an assistant turn (echoed back earlier)',
    request: conv(
      { role: 'user', content: 'set up the client for me' },
      { role: 'assistant', content: `Here you go:\n\nclient = OpenAI(api_key="${k('p61').openaiLegacy()}")` },
      { role: 'user', content: 'now add retries' },
    ),
  },
  {
    id: 'p62',
    about: 'Redis URL with password in a Celery config',
    request: u(`CELERY_BROKER_URL = "redis://:Jx82pLqZ7v@cache-prod.acme.internal:6379/1"\nworkers keep reconnecting, why?`),
  },
];

const ORDINARY: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  { id: 'o01', about: 'debounce question', request: u('How do I debounce a function in TypeScript without lodash?') },
  {
    id: 'o02',
    about: 'React list keyed by UUIDs',
    request: u(`Why does React warn about keys here?\nconst items = [{ id: "${k('o02').uuid()}", title: "a" }, { id: "${k('o02b').uuid()}", title: "b" }];\nreturn items.map((i) => <Row {...i} />);`),
  },
  {
    id: 'o03',
    about: 'git history with commit hashes',
    request: u(`How do I squash these?\n${k('o03').hex(7)} fix typo\n${k('o03b').hex(7)} add tests\n${k('o03c').hex(7)} feat: retries\nfull hash of the base: ${k('o03d').hex(40)}`),
  },
  { id: 'o04', about: 'CSS with hex colours', request: u(`Make this dark-mode friendly:\n.card { background: #ffffff; color: #1f2937; border: 1px solid #e5e7eb; }\n.badge { background: #10b981; }`) },
  { id: 'o05', about: 'Dockerfile with versions', request: u('FROM node:20.11.1-alpine3.19\nRUN npm i -g pnpm@8.15.4\nCOPY . .\nRUN pnpm install --frozen-lockfile\nWhy is the image 1.2 GB?') },
  {
    id: 'o06',
    about: 'pytest with example.com fixtures',
    request: u(`def test_signup(client):\n    r = client.post("/signup", json={"email": "alice@example.com", "password": "password123"})\n    assert r.status_code == 201\nhow do I parametrize this over 3 users?`),
  },
  { id: 'o07', about: 'docs with an sk-... placeholder', request: u('The README says `export OPENAI_API_KEY=sk-...` — where do I put this on Windows?') },
  { id: 'o08', about: 'SDK snippet reading the key from env', request: u('client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))\nIs reading the key like this safe in a Lambda?') },
  { id: 'o09', about: 'email validation regex', request: u('Write a regex that accepts john.doe@example.com and rejects "john@@example" and "john@example".') },
  { id: 'o10', about: 'Stripe test card', request: u('Stripe checkout in test mode declines 4242 4242 4242 4242 with "incorrect_cvc", what CVC should I use?') },
  { id: 'o11', about: 'SQL schema', request: u('CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(255) UNIQUE NOT NULL, password_hash VARCHAR(100) NOT NULL);\nShould email be case-insensitive unique?') },
  {
    id: 'o12',
    about: 'k8s manifest with secretKeyRef',
    request: u('env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password\nHow do I rotate this without downtime?'),
  },
  { id: 'o13', about: 'compose with env interpolation', request: u('environment:\n  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n  POSTGRES_DB: app\nWhere does compose read POSTGRES_PASSWORD from?') },
  {
    id: 'o14',
    about: 'service log with request ids and private IPs',
    request: u(`2024-05-02T10:00:01.123Z INFO req=${k('o14').uuid()} 10.0.4.12 GET /health 200 2ms\n2024-05-02T10:00:01.456Z WARN req=${k('o14b').uuid()} 10.0.4.13 GET /orders 503 1204ms upstream timeout\nwhat is the likely cause?`),
  },
  { id: 'o15', about: 'lorem ipsum layout', request: u('Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer nec odio. Praesent libero. Sed cursus ante dapibus diam.\nMake this placeholder text fit a 3-column grid.') },
  { id: 'o16', about: 'arithmetic with big numbers', request: u('What is 4539578763621486 divided by 1234567, and is 9876543210123 prime?') },
  { id: 'o17', about: 'question about PII', request: u('What counts as PII under GDPR and how do I detect it in application logs?') },
  { id: 'o18', about: 'card redaction function', request: u('Write a Python function that masks credit card numbers in text, keeping the last 4 digits, e.g. "4111 1111 1111 1111" -> "**** **** **** 1111".') },
  { id: 'o19', about: 'jwt.io example token', request: u('Decode this example JWT and explain each part: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c') },
  { id: 'o20', about: 'AWS docs example keys', request: u('The docs use AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY — are these real? How do I make my own?') },
  {
    id: 'o21',
    about: 'Node stack trace',
    request: u("TypeError: Cannot read properties of undefined (reading 'map')\n    at OrdersList (/app/src/components/OrdersList.tsx:42:17)\n    at renderWithHooks (/app/node_modules/react-dom/cjs/react-dom.development.js:16305:18)"),
  },
  { id: 'o22', about: 'package.json', request: u('{\n  "name": "web",\n  "version": "2.4.1",\n  "dependencies": { "next": "14.1.0", "react": "18.2.0", "zod": "^3.22.4" }\n}\nUpgrade to Next 15 — what breaks?') },
  { id: 'o23', about: 'bash with env placeholders', request: u('#!/usr/bin/env bash\nset -euo pipefail\ncurl -fsS -H "Authorization: Bearer ${API_TOKEN}" "$BASE_URL/health"\nWhy does set -u fail when API_TOKEN is unset?') },
  { id: 'o24', about: 'terraform with variables', request: u('resource "aws_db_instance" "main" {\n  username = var.db_username\n  password = var.db_password\n  instance_class = "db.t3.medium"\n}\nHow do I mark db_password sensitive?') },
  { id: 'o25', about: 'history essay', request: u('Write 300 words on the causes of the Thirty Years War for a high-school class.') },
  { id: 'o26', about: 'translation', request: u('Translate into German: "The meeting is moved to Thursday at 3 pm; please bring the quarterly numbers."') },
  { id: 'o27', about: 'recipe', request: u('I have chickpeas, spinach, coconut milk and curry paste. Give me a 30-minute dinner for 4.') },
  { id: 'o28', about: 'unit conversion', request: u('Convert 1234567 seconds to days, hours and minutes, and 98.6 °F to °C.') },
  {
    id: 'o29',
    about: 'pandas with Faker data',
    request: u('from faker import Faker\nfake = Faker()\ndf = pd.DataFrame({"name": [fake.name() for _ in range(100)], "email": [fake.email() for _ in range(100)]})\nHow do I make Faker reproducible?'),
  },
  { id: 'o30', about: 'chess notation', request: u('1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 5. O-O Be7 — what opening is this and what is the main line?') },
  { id: 'o31', about: 'product inventory CSV', request: u('sku,name,price,stock\nA-1001,USB-C cable 1m,9.99,412\nA-1002,USB-C cable 2m,12.99,180\nB-2001,65W charger,34.00,57\nWhich products need reordering if the threshold is 100?') },
  { id: 'o32', about: 'benchmark markdown table', request: u('| model | tokens/s | p50 ms | p99 ms |\n|---|---|---|---|\n| 7B q4 | 112.4 | 38 | 121 |\n| 13B q4 | 61.9 | 71 | 240 |\nSummarise the trade-off.') },
  { id: 'o33', about: 'GPU specs', request: u('Compare an RTX 4090 (24 GB, 82.6 TFLOPS FP32, 1008 GB/s) with an A100 40GB (19.5 TFLOPS FP32, 1555 GB/s) for LLM inference.') },
  { id: 'o34', about: 'IBAN validation code with the standard example', request: u('My IBAN validator rejects GB82 WEST 1234 5698 7654 32, which should be valid. Here is the code: def valid(iban): return int(iban[4:] + iban[:4]) % 97 == 1') },
  { id: 'o35', about: 'password hashing advice', request: u('Should I use bcrypt, scrypt or argon2id for password hashing in 2024? Show a Node example with argon2.hash(password).') },
  { id: 'o36', about: 'sample config with a demo password', request: u('The quickstart config says:\nadmin:\n  username: admin\n  password: changeme\nIs it safe to leave this for a local demo?') },
  { id: 'o37', about: 'base64 question', request: u('Why does btoa("héllo") throw, and how do I base64-encode UTF-8 in the browser?') },
  { id: 'o38', about: 'sha256 output', request: u(`echo -n hello | sha256sum gives ${'2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'} — why is it different from my Python output with a newline?`) },
  { id: 'o39', about: 'UUIDv7 discussion', request: u(`Is ${k('o39').uuid()} a v4 or v7 UUID, and why would I prefer v7 as a primary key?`) },
  { id: 'o40', about: 'crypto address format', request: u('What is the difference between a bc1q address and a 1-prefixed Bitcoin address, e.g. bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?') },
  { id: 'o41', about: 'login form review', request: u('Review: <form method="post"><input name="email" type="email"><input name="password" type="password" minlength="12"></form> — what about autocomplete attributes?') },
  { id: 'o42', about: 'OAuth docs with placeholders', request: u('POST /oauth/token with grant_type=client_credentials&client_id=YOUR_CLIENT_ID&client_secret=YOUR_CLIENT_SECRET returns invalid_client. What am I missing?') },
  { id: 'o43', about: 'nginx config', request: u('server {\n  listen 443 ssl http2;\n  server_name api.example.com;\n  location / { proxy_pass http://127.0.0.1:8080; }\n}\nHow do I add HSTS?') },
  { id: 'o44', about: 'semver', request: u('If my package is at 1.4.2 and I remove a public function, should the next version be 1.5.0 or 2.0.0?') },
  { id: 'o45', about: 'commit message', request: u('Write a conventional commit message for: added retry with exponential backoff to the HTTP client, default 3 attempts.') },
  {
    id: 'o46',
    about: 'jest test with a fake user',
    request: u("const user = { id: 1, name: 'Test User', email: 'test.user@example.com', phone: '+1 555 0100' };\nit('renders the profile', () => { render(<Profile user={user} />); });\nHow do I snapshot-test this?"),
  },
  { id: 'o47', about: 'API docs with $TOKEN', request: u('The docs say: curl -H "Authorization: Bearer $TOKEN" https://api.github.com/user. How do I get TOKEN with the gh CLI?') },
  { id: 'o48', about: 'phone formatting with a fictional number', request: u('Using libphonenumber, how do I format "+1 415-555-0132" as E.164 and as national format?') },
  { id: 'o49', about: 'date formats', request: u('Parse "2024-05-02T10:00:00+02:00", "02/05/2024" and "May 2, 2024" into the same Date in JavaScript.') },
  { id: 'o50', about: 'country codes', request: u('List ISO 3166-1 alpha-2 codes for DE, FR, IT, ES, NL, SE and their calling codes (+49, +33, +39, +34, +31, +46).') },
  { id: 'o51', about: 'pod names with hashes', request: u('kubectl get pods shows api-7d9f8c6b5d-x2kqp CrashLoopBackOff and worker-5c4b7f9d8-m7n2z Running. How do I see the previous logs?') },
  { id: 'o52', about: 'docker image digest', request: u(`docker pull nginx@sha256:${k('o52').hex(64)} fails with manifest unknown. Why?`) },
  { id: 'o53', about: 'webpack config', request: u("module.exports = { mode: 'production', entry: './src/index.ts', output: { filename: '[name].[contenthash].js' } };\nWhy is the hash changing every build?") },
  { id: 'o54', about: 'ticket classification without PII', request: u('Classify these tickets: "app crashes on login", "please add dark mode", "charged in the wrong currency", "export to CSV is slow".') },
  { id: 'o55', about: 'summarise public news', request: u('Summarise: The European Central Bank kept interest rates unchanged on Thursday, citing easing inflation but persistent wage growth in services.') },
  { id: 'o56', about: 'cover letter template', request: u('Write a cover letter template for a junior developer role with placeholders like [Your Name], [Your Email] and [Company].') },
  { id: 'o57', about: 'confidential computing question', request: u('What is confidential computing, and do AMD SEV-SNP confidential VMs protect data from the cloud provider?') },
  { id: 'o58', about: 'code comment saying internal only', request: u('// internal only: do not call from controllers\nexport function recomputeBalances(tx: Tx[]) { /* ... */ }\nHow do I enforce this with ESLint?') },
  { id: 'o59', about: 'job description', request: u('Write a job description for a Senior Platform Engineer: Kubernetes, Terraform, on-call rotation, remote in the EU.') },
  { id: 'o60', about: 'poem', request: u('A short poem about debugging at 3 a.m., in the style of Emily Dickinson.') },
  {
    id: 'o61',
    about: 'tool call for the weather',
    request: conv(
      { role: 'user', content: 'Weather in Lisbon tomorrow?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon","date":"2024-05-03"}' } }] },
      { role: 'tool', tool_call_id: 'w1', content: '{"high":23.4,"low":14.1,"rain_mm":0.2,"station":"LPPT-08535"}' },
    ),
  },
  {
    id: 'o62',
    about: 'multi-turn refactoring',
    request: conv(
      { role: 'system', content: 'You are a senior TypeScript reviewer. Be concise.' },
      { role: 'user', content: 'function sum(xs: number[]) { let s = 0; for (const x of xs) s += x; return s; }' },
      { role: 'assistant', content: 'Fine; a reduce is equivalent: xs.reduce((a, b) => a + b, 0).' },
      { role: 'user', content: 'and for bigint?' },
    ),
  },
];

/** Holdout 1: written after the first tuning round. */
const HOLDOUT_PRIVATE: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  { id: 'hp01', about: 'Django settings with a SECRET_KEY', request: u(`# settings.py\nDEBUG = False\nSECRET_KEY = 'q8#z!m2v@x7p$k9w^r4t&y1u*e6i(o3)s5d-f0g=h+j'\nALLOWED_HOSTS = ['shop.acme.io']\nwhy do I get "CSRF verification failed"?`) },
  { id: 'hp02', about: 'Firebase web config', request: u(`const firebaseConfig = {\n  apiKey: "${k('hp02').google()}",\n  authDomain: "acme-shop.firebaseapp.com",\n  projectId: "acme-shop"\n};\nauth/invalid-api-key on localhost`) },
  { id: 'hp03', about: 'Cloudflare API token', request: u(`CF_API_TOKEN=${k('hp03').token(40)} terraform apply fails with "Authentication error (10000)"`) },
  { id: 'hp04', about: 'Twilio credentials', request: u(`client = Client("AC${k('hp04').hex(32)}", "${k('hp04b').hex(32)}")\nTWILIO_AUTH_TOKEN=${k('hp04c').hex(32)}\nSMS are not delivered to Germany`) },
  { id: 'hp05', about: 'SMS service log with phone numbers', request: u(`10:02:11 otp.sent to=+4915208841937 provider=twilio status=queued\n10:02:14 otp.sent to=+33781449215 provider=twilio status=failed code=30008\nwhat is error 30008?`) },
  { id: 'hp06', about: 'customer chat transcript', request: u(`Summarise this chat:\nCustomer: hi, my new address is 8 Harbour Lane, Cork, and please use ${k('hp06').email('aoife.byrne')} from now on\nAgent: updated, anything else?`) },
  { id: 'hp07', about: 'tab-separated contact list', request: u(`Name\tEmail\tPhone\nGreta Lind\t${k('hp07a').email('greta.lind')}\t+46 73 918 22 41\nPavel Horak\t${k('hp07b').email('pavel.horak')}\t+420 603 771 902`) },
  { id: 'hp08', about: 'passport number in a visa form', request: u(`Check my visa form: surname MÜLLER, given names ANNA LENA, passport no. C4J7X2N91, date of birth 12.03.1990, place of birth Köln.`) },
  { id: 'hp09', about: 'insurance claim with name, DOB and address', request: u(`Write the claim letter for: Graham Pierce, born 17 August 1958, 41 Quarry Road, Bath BA2 5RT, policy 77-2213-90, water damage in the kitchen on 2 May.`) },
  { id: 'hp10', about: 'UK bank details without an IBAN', request: u(`Please pay the deposit to: Mrs K. Owusu, sort code 40-47-84, account number 71239956. Can you write the payment reference?`) },
  { id: 'hp11', about: 'OpenAI key inside notebook JSON', request: u(`{"cells": [{"cell_type": "code", "source": ["import openai\\n", "openai.api_key = \\"${k('hp11').openaiLegacy()}\\"\\n"]}]}\nconvert this notebook to a script`) },
  { id: 'hp12', about: 'docker login with a password flag', request: u(`docker login -u ci-bot -p 'Zr8vK2mQx7' registry.acme.io prints a warning about --password-stdin; how do I fix it in Jenkins?`) },
  { id: 'hp13', about: 'employee data with salaries', request: u(`Here is the employee data for the raise discussion:\nNadia Rahman — Senior Engineer — 96,000\nLeo Fischer — Engineer II — 74,500\nwho is below the band midpoint?`) },
  { id: 'hp14', about: 'webhook URL with a token query parameter', request: u(`Our deploy hook https://deploy.acme.io/hooks/release?token=${k('hp14').token(32)} returns 500 since the upgrade.`) },
  { id: 'hp15', about: 'Ansible inventory with an SSH password', request: u(`[web]\nweb01 ansible_host=10.1.2.11 ansible_user=deploy ansible_ssh_pass=Wm3qZ8vLx2\nansible ping says "Permission denied"`) },
  { id: 'hp16', about: 'forwarded email with headers', request: u(`---------- Forwarded message ---------\nFrom: Olu Adeyemi <${k('hp16').email('olu.adeyemi')}>\nDate: Tue, 30 Apr 2024\nSubject: contract renewal\nCan you propose a reply accepting the 3% increase?`) },
  { id: 'hp17', about: 'PGP private key block', request: u(`gpg --import says "no valid OpenPGP data found":\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQdGBGYp${k('hp17').token(60)}\n${k('hp17b').token(64)}\n-----END PGP PRIVATE KEY BLOCK-----`) },
  { id: 'hp18', about: 'card number typed in chat', request: u(`can you check why the shop rejects my card? ${k('hp18').cardSpaced('4')} exp 03/27`) },
];

const HOLDOUT_ORDINARY: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  { id: 'ho01', about: 'UUID regex with samples', request: u(`Does /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i accept ${k('ho01').uuid()} and reject 00000000-0000-0000-0000-000000000000?`) },
  { id: 'ho02', about: 'PKCE explanation with the RFC example verifier', request: u('In RFC 7636 the example code_verifier is dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk. Show how the S256 code_challenge is derived.') },
  { id: 'ho03', about: 'Git LFS pointer', request: u(`version https://git-lfs.github.com/spec/v1\noid sha256:${k('ho03').hex(64)}\nsize 48213377\nWhy do I see this instead of the model file?`) },
  { id: 'ho04', about: 'k8s secret template with placeholders', request: u('apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: <base64-encoded-password>\nHow do I create this from a file instead?') },
  { id: 'ho05', about: 'parameterised SQL', request: u('SELECT id, name FROM customers WHERE email = ? AND deleted_at IS NULL — is this safe from injection with mysql2?') },
  { id: 'ho06', about: 'Python logging config', request: u("logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')\nHow do I add the request id to every line?") },
  { id: 'ho07', about: 'AWS ARN with the documentation account id', request: u('What does arn:aws:iam::123456789012:role/deploy-role mean, and how do I assume it from the CLI?') },
  { id: 'ho08', about: 'spreadsheet formula', request: u('In Excel, =XLOOKUP(A2, Products!A:A, Products!C:C, "n/a") returns #NAME? in Excel 2016. Alternative?') },
  { id: 'ho09', about: 'HTTP Basic auth explanation', request: u('Explain HTTP Basic auth with the classic example: user "Aladdin", password "open sesame", header value QWxhZGRpbjpvcGVuIHNlc2FtZQ==.') },
  { id: 'ho10', about: 'travel plan', request: u('Plan 3 days in Kyoto in November for two people who like gardens and ramen, budget about 400 EUR excluding hotel.') },
  { id: 'ho11', about: 'request for fake customers', request: u('Generate 5 fake customers as JSON with name, email (use example.com), and a random city, for seeding a dev database.') },
  { id: 'ho12', about: 'changelog', request: u('## 3.2.0 (2024-04-30)\n- fix: retry on 502 (#1432)\n- feat: streaming tool calls (#1419)\n- deps: bump undici to 6.15.0\nWrite release notes for users.') },
  { id: 'ho13', about: 'meeting notes with internal wording', request: u('Notes from our internal sync: finish the onboarding flow, fix flaky e2e tests, plan the Q3 hackathon. Turn into action items.') },
  { id: 'ho14', about: 'tweet draft', request: u('Make this tweet punchier: "We just shipped v3.2 of @acmedev with streaming tool calls 🎉 #opensource #llm"') },
  { id: 'ho15', about: 'subnetting', request: u('How many /24 subnets fit in 10.0.0.0/16 and what is the broadcast address of 10.0.37.0/24?') },
  { id: 'ho16', about: 'matrix maths', request: u('Compute the determinant of [[4, 7, 2], [3, 6, 1], [2, 5, 3]] and explain the steps.') },
  { id: 'ho17', about: 'redis-cli usage', request: u('redis-cli -h localhost -p 6379 ping returns "NOAUTH Authentication required" — how do I pass the password safely?') },
  { id: 'ho18', about: 'SSH key generation how-to', request: u('How do I generate an ed25519 SSH key with a passphrase and add it to the agent on macOS?') },
];

/** Holdout 2: written after the second tuning round; not tuned on. */
const HOLDOUT2_PRIVATE: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  { id: 'h2p01', about: 'decrypted Rails credentials', request: u(`rails credentials:show prints:\nsecret_key_base: ${k('h2p01').hex(128)}\naws:\n  access_key_id: ${k('h2p01b').awsKeyId()}\nhow do I move this to production?`) },
  { id: 'h2p02', about: 'Heroku API key (a UUID)', request: u(`HEROKU_API_KEY=${k('h2p02').uuid()} heroku apps returns "Invalid credentials provided"`) },
  { id: 'h2p03', about: 'customer email with a German phone number', request: u(`Antwort entwerfen: "Guten Tag, bitte rufen Sie mich zurück, Tel. 030 2591 7734, ab 14 Uhr. Mit freundlichen Grüßen, Henrike Vogt"`) },
  { id: 'h2p04', about: 'OAuth token response', request: u(`The token endpoint returns {"access_token": "ya29.${k('h2p04').token(60)}", "expires_in": 3599, "refresh_token": "1//0g${k('h2p04b').token(40)}"} but the next call is 401.`) },
  { id: 'h2p05', about: 'psql output table with customers', request: u(` id |     name      |          email           | plan\n----+---------------+--------------------------+------\n 41 | Nora Lindqvist | ${k('h2p05a').email('nora.l')} | pro\n 42 | Samir Aziz     | ${k('h2p05b').email('samir.aziz')} | free\nwhich of these upgraded?`) },
  { id: 'h2p06', about: 'payslip text', request: u(`Explain my payslip: Employee: Chloe Hart, Employee no. 004417, NI number ${k('h2p06').nino()}, tax code 1257L, gross pay £3,250.00, student loan plan 2.`) },
  { id: 'h2p07', about: 'lab results with name and DOB', request: u(`Patient: Marek Zielinski  DOB: 3 Feb 1975\nHbA1c 7.9 % (H), fasting glucose 8.4 mmol/L (H)\nExplain these results in plain language.`) },
  { id: 'h2p08', about: '.netrc with login and password', request: u(`my ~/.netrc:\nmachine api.heroku.com\n  login ${k('h2p08').email('dev.ops')}\n  password ${k('h2p08b').uuid()}\nwhy does git push heroku still prompt?`) },
  { id: 'h2p09', about: 'SMTP config with user and pass', request: u(`{"smtp": {"host": "smtp.mailgun.org", "port": 587, "user": "postmaster@mg.acme.io", "pass": "Xv8!kQ2mZr7w"}}\nnodemailer says "Invalid login"`) },
  { id: 'h2p10', about: 'personal details in a chat', request: u(`Write a birthday message for my colleague: Tomasz Nowak, born on 14/07/1983, lives at Ulica Długa 5, Gdańsk, loves sailing.`) },
  { id: 'h2p11', about: 'cookies copied from devtools', request: u(`Cookie: _session_id=${k('h2p11').hex(32)}; remember_token=${k('h2p11b').token(40)}; locale=en\nwhy am I logged out after a deploy?`) },
  { id: 'h2p12', about: 'ticket with a customer email (non-ASCII local part)', request: u(`Ticket #5521: Customer Stadtwerke Ulm reports that user k.müller@stadtwerke-ulm.de cannot log in since Monday. Draft the reply.`) },
];

const HOLDOUT2_ORDINARY: Array<Omit<LabelledPrompt, 'label' | 'set'>> = [
  { id: 'h2o01', about: 'key rotation question', request: u('What is the safest way to rotate AWS access keys for a CI user without breaking running pipelines?') },
  { id: 'h2o02', about: 'CI YAML with secret references', request: u('steps:\n  - run: ./deploy.sh\n    env:\n      API_TOKEN: ${{ secrets.API_TOKEN }}\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\nWhy are secrets empty on pull requests from forks?') },
  { id: 'h2o03', about: 'random token generation', request: u("secrets.token_urlsafe(16) printed 'Drmhze6EPcv0fN_81Bj-nA' — how many bits of entropy is that?") },
  { id: 'h2o04', about: 'access log without personal data', request: u('127.0.0.1 - - [02/May/2024:10:00:00 +0000] "GET /static/app.3f9a1c.js HTTP/2.0" 200 48213 "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.6367.91"\nWhy is this file not cached?') },
  { id: 'h2o05', about: 'city population table', request: u('city,country,population\nLagos,NG,15388000\nCairo,EG,10230000\nKinshasa,CD,14970000\nSort by population and compute the mean.') },
  { id: 'h2o06', about: 'Luhn algorithm explanation', request: u('Walk me through the Luhn check for 79927398713 step by step.') },
  { id: 'h2o07', about: 'terraform state snippet', request: u('"instances": [{"attributes": {"id": "i-0a1b2c3d4e5f67890", "arn": "arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f67890", "instance_type": "t3.small"}}]\nWhy does terraform want to replace it?') },
  { id: 'h2o08', about: 'support macro template', request: u('Improve this macro: "Hi {{customer_name}}, your order {{order_id}} shipped on {{ship_date}}. Track it at {{tracking_url}}."') },
  { id: 'h2o09', about: 'blog post on privacy law', request: u('Draft a blog post explaining what personal data is under the GDPR and why data minimisation matters for small SaaS companies.') },
  { id: 'h2o10', about: 'contact page with placeholders', request: u('<form><input type="email" placeholder="you@example.com"><p>Or call us at +1 (800) 555-0199</p></form>\nMake this accessible.') },
  { id: 'h2o11', about: 'Go struct with password tag', request: u('type Login struct {\n  Email    string `json:"email"`\n  Password string `json:"password"`\n}\nHow do I stop Password from being logged with %+v?') },
  { id: 'h2o12', about: 'IBAN format question', request: u('How many characters does a German IBAN have, and what do the check digits protect against?') },
];

export const LABELLED_PROMPTS: readonly LabelledPrompt[] = [
  ...PRIVATE.map((p) => ({ ...p, label: 'private' as const, set: 'tuning' as const })),
  ...ORDINARY.map((p) => ({ ...p, label: 'ordinary' as const, set: 'tuning' as const })),
  ...HOLDOUT_PRIVATE.map((p) => ({ ...p, label: 'private' as const, set: 'holdout-1' as const })),
  ...HOLDOUT_ORDINARY.map((p) => ({ ...p, label: 'ordinary' as const, set: 'holdout-1' as const })),
  ...HOLDOUT2_PRIVATE.map((p) => ({ ...p, label: 'private' as const, set: 'holdout-2' as const })),
  ...HOLDOUT2_ORDINARY.map((p) => ({ ...p, label: 'ordinary' as const, set: 'holdout-2' as const })),
];
