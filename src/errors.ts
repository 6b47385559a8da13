/**
 * The project's error taxonomy, for everything above the runtime. The base
 * class and the codes live with the actor runtime (`runtime/errors.ts`),
 * because the runtime carries an error's code across a thread boundary and
 * imports nothing of the project.
 */
export * from './runtime/errors.js';
