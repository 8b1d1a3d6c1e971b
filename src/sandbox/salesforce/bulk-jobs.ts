/** Bulk API 2.0 jobs: query jobs hold their CSV rows, ingest jobs their upload and results. */

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface QueryJob {
  kind: 'query';
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  query: string;
  state: JobState;
  apiVersion: string;
  createdDate: number;
  polls: number;
  header: string[];
  rows: string[][];
}

export interface IngestJob {
  kind: 'ingest';
  id: string;
  operation: 'insert' | 'update' | 'delete';
  object: string;
  state: JobState;
  apiVersion: string;
  createdDate: number;
  polls: number;
  upload: string;
  header: string[];
  successful: string[][];
  failed: string[][];
  errorMessage: string | null;
  /** Set when processing finished: reported from the first status check on, as jobs run asynchronously. */
  finalState: JobState | null;
}

export type BulkJob = QueryJob | IngestJob;

export class BulkJobs {
  readonly jobs = new Map<string, BulkJob>();

  add(job: BulkJob): void {
    this.jobs.set(job.id, job);
  }

  query(id: string): QueryJob | undefined {
    const j = this.jobs.get(id);
    return j?.kind === 'query' ? j : undefined;
  }

  ingest(id: string): IngestJob | undefined {
    const j = this.jobs.get(id);
    return j?.kind === 'ingest' ? j : undefined;
  }
}
