export declare const bundlePath: string;
export declare function isStale(): boolean;
export declare function ensureBuilt(): Promise<string>;
