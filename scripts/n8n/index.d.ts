// Types for the plain-JavaScript runtime modules, so the TypeScript e2e harness can use them.
import type { ChildProcess, StdioOptions } from 'child_process';

export interface RuntimePaths {
	repoRoot: string;
	runtimeDir: string;
	version: string;
	major: number;
	nodeRoot: string;
	nodeHome: string;
	nodeBin: string;
	nodeBinDir: string;
	n8nRoot: string;
	n8nPackageDir: string;
	n8nBin: string;
	installMarker: string;
	defaultUserFolder: string;
}

export interface CommandOptions {
	env?: Record<string, string>;
	port?: number;
}

/** An n8n workflow as exported by n8n (only the fields the runtime reads are typed). */
export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<
		{
			name: string;
			type: string;
			webhookId?: string;
			parameters?: Record<string, unknown>;
		} & Record<string, unknown>
	>;
	connections: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

/** A credential with plain data; n8n encrypts `data` on import. */
export interface CredentialJson {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface StoredExecution {
	id: string;
	workflowId: string;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string;
	stoppedAt: string | null;
	/** With `withData`: per node, per run, per output, the items' JSON. */
	nodes?: Record<string, Array<Array<Array<Record<string, unknown>>>>>;
	/** With `withData`: the same shape, per item its binary properties' metadata (null: none). */
	binaries?: Record<string, Array<Array<Array<Record<string, BinaryMetadata> | null>>>>;
}

/** What n8n keeps about a binary property besides its bytes. */
export interface BinaryMetadata {
	fileName?: string;
	mimeType: string;
	fileExtension?: string;
	/** Human-readable, e.g. "4.2 kB". */
	fileSize?: string;
	/** Where the bytes are when not kept inline (e.g. "filesystem-v2:..."). */
	id?: string;
	[key: string]: unknown;
}

export const REPO_ROOT: string;
export const RUNTIME_DIR: string;
export const DEFAULT_N8N_VERSION: string;
export const PACKAGE_NAME: string;
export function selectedVersion(): string;
export function runtimePaths(version?: string): RuntimePaths;
export function ensureN8nInstalled(options?: {
	version?: string;
	log?: (message: string) => void;
}): Promise<RuntimePaths>;
export function isHealthy(paths: RuntimePaths): boolean;
export function n8nEnv(options: {
	userFolder: string;
	port: number;
	host?: string;
	extra?: Record<string, string>;
}): Record<string, string>;
export function runN8nCommand(
	paths: RuntimePaths,
	userFolder: string,
	args: string[],
	options?: CommandOptions,
): Promise<string>;
export function importCredentials(
	paths: RuntimePaths,
	userFolder: string,
	credentials: CredentialJson[],
	options?: CommandOptions,
): Promise<void>;
export function importWorkflows(
	paths: RuntimePaths,
	userFolder: string,
	workflows: WorkflowJson[],
	options?: CommandOptions,
): Promise<void>;
export function activateWorkflow(
	paths: RuntimePaths,
	userFolder: string,
	workflowId: string,
	options?: CommandOptions,
): Promise<string>;
export function spawnN8nServer(
	paths: RuntimePaths,
	userFolder: string,
	options: { port: number; env?: Record<string, string>; stdio?: 'pipe' | StdioOptions },
): ChildProcess;
export function nodesDir(userFolder: string): string;
export function databaseFile(userFolder: string): string;
export function nodeTypesFile(userFolder: string): string;
export function linkThisPackage(userFolder: string): string;
export function builtFiles(): Array<{ file: string; exists: boolean }>;
export function stableWorkflowId(seed: string): string;
export function withStableIds<T extends WorkflowJson>(
	workflow: T,
	seed: string,
): T & { id: string };
export function prepareUserFolder(
	paths: RuntimePaths,
	userFolder: string,
	options: {
		credentials?: CredentialJson[];
		workflows?: WorkflowJson[];
		activate?: string[];
		log?: (message: string) => void;
	},
): Promise<void>;
export function listExecutions(
	paths: RuntimePaths,
	userFolder: string,
	options?: { workflowId?: string; withData?: boolean },
): Promise<StoredExecution[]>;
export const DOCKER_FILES_FOLDER: string;
/** `<userFolder>/.n8n-files`: the folder a local n8n may read and write (N8N_RESTRICT_FILE_ACCESS_TO). */
export function filesFolder(userFolder: string): string;
export function withLocalFilesFolder<T extends WorkflowJson>(workflow: T, userFolder: string): T;
/** Whether n8n serves the production webhook (a CORS preflight answered 2xx, not the start-up text). */
export function webhookLive(
	baseUrl: string,
	webhookPath: string,
	method?: string,
): Promise<boolean>;
export const DEMO_CREDENTIAL_ID: string;
/** The "WeHub Demo" credential: embedded store, or `redis` when given. */
export function demoCredential(options?: {
	appId?: string;
	secretKey?: string;
	redis?: { host: string; port: number };
}): CredentialJson;
