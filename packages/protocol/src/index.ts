export * from './events.ts';
export * from './workforce.ts';
export * from './delta.ts';
export * from './recording.ts';
export * from './episodes.ts';
export * from './replay.ts';
export * from './contract.ts';
