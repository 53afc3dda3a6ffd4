// A tiny OpenAI-compatible echo upstream so a fresh checkout can stream an answer with no LLM at hand.
// Started by `npm start` when the config has a provider with id "demo" (the shipped ./config does).
import { startFakeOpenAI } from '@aisbf/testing';

const port = Number(process.argv[2] ?? 17790);
startFakeOpenAI({ port, models: ['echo'] }).then(
  (f) => console.log(JSON.stringify({ service: 'demo-upstream', msg: `demo echo upstream at ${f.url}` })),
  (err) => {
    console.error(`demo upstream could not start on port ${port}: ${err.message}`);
    process.exit(1);
  },
);
