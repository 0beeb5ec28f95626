export declare const REDIS_SERVER: string;
export declare function freePort(): Promise<number>;
export declare function startRedis(): Promise<{ url: string; port: number; start(): Promise<void>; stop(): Promise<void>; kill(): void }>;
