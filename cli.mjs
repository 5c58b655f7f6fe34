import { register } from 'tsx/esm/api';
register();
const { runValidate } = await import('/work/main/engine/cli/validate.ts');
process.exitCode = await runValidate(process.argv.slice(2));
