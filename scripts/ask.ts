/**
 * @module scripts/ask
 * Asks the assistant from the command line, through the same runtime the server uses (so
 * OPENAI_API_KEY and the other variables apply): a quick way to try questions and wording.
 * Usage: npm run ask -- "Chỉ thị 22-CT/TU ban hành ngày nào?" ["another question" …]
 */
import { createRuntime } from '../src/app';
import { loadConfig } from '../src/config';
import { renderPlain } from '../src/channels/plain';

async function main(questions: string[]): Promise<void> {
  if (questions.length === 0) {
    console.error('usage: npm run ask -- "question" ["question" …]');
    process.exitCode = 2;
    return;
  }
  const rt = createRuntime(loadConfig(process.env));
  for (const [i, text] of questions.entries()) {
    const reply = await rt.assistant.handle({ channel: 'web', chatId: 'cli', userId: 'cli', text, locale: 'vi' });
    console.log(`\n> ${text}\n[intent: ${reply.intent}${reply.found === false ? ', not found' : ''}]\n`);
    console.log(renderPlain(reply, rt.texts, 'vi'));
    if (i < questions.length - 1) console.log('\n' + '-'.repeat(60));
  }
}

void main(process.argv.slice(2));
