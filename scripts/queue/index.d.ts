// Types for the plain-JavaScript queue-mode cluster, so the TypeScript e2e harness can use it.
import type { CredentialJson, RuntimePaths, WorkflowJson } from '../n8n';

export interface ManagedProcess {
	readonly name: string;
	readonly pid: number;
	readonly running: boolean;
	readonly exited: Promise<void>;
	logs(): string;
	kill(signal?: NodeJS.Signals): Promise<void>;
	stop(): Promise<void>;
}

export interface ProcessHooks {
	spawned?(pid: number): void;
	exited?(pid: number): void;
}

export interface ClusterPorts {
	postgres: number;
	redis: number;
	main: number;
	balancer: number;
	workerHealth: number;
	webhooks: number[];
	runners: number[];
}

export interface RunningPostgres {
	host: string;
	port: number;
	user: string;
	database: string;
	folder: string;
	server: ManagedProcess;
	query(sql: string): string[][];
	n8nEnv(): Record<string, string>;
	stop(options?: { removeFolder?: boolean }): Promise<void>;
}

export interface RunningRedis {
	host: string;
	port: number;
	server: ManagedProcess;
	stop(): Promise<void>;
}

export interface Balancer {
	url: string;
	port: number;
	counts(): number[];
	close(): Promise<void>;
}

export interface QueueClusterOptions {
	ports: ClusterPorts;
	webhookProcesses?: number;
	credentials?: CredentialJson[] | ((cluster: { redis: RunningRedis }) => CredentialJson[]);
	workflows?: WorkflowJson[];
	activate?: string[];
	/** Webhook paths each webhook process must serve before it counts as ready. */
	readyPaths?: string[];
	/** Extra environment for every n8n process. */
	env?: Record<string, string>;
	workerEnv?: Record<string, string>;
	/** A folder to keep everything in; default: a fresh temporary one, removed by stop(). */
	folder?: string;
	hooks?: ProcessHooks;
	log?: (message: string) => void;
	echo?: (text: string) => void;
	version?: string;
}

export interface QueueCluster {
	paths: RuntimePaths;
	folder: string;
	postgres: RunningPostgres;
	redis: RunningRedis;
	balancer?: Balancer;
	/** What WeHub is given: the balancer, or the only webhook process. */
	publicUrl: string;
	webhookBases: string[];
	main: ManagedProcess;
	webhooks: ManagedProcess[];
	worker: ManagedProcess;
	webhookUrl(path: string): string;
	killWorker(): Promise<void>;
	restartWorker(): Promise<ManagedProcess>;
	logs(): string;
	stop(options?: { removeFolder?: boolean }): Promise<void>;
}

export function startQueueCluster(options: QueueClusterOptions): Promise<QueueCluster>;
export function clusterPorts(
	webhookProcesses: number,
	fixed?: Partial<Omit<ClusterPorts, 'runners'>>,
): Promise<ClusterPorts>;
export function freePort(): Promise<number>;
export function findPostgresBin(): string;
