/** What every client an engine creates takes. */
export interface ClientOptions {
  /** Appended to kafka.clientId, to tell this process's clients apart in broker logs and quotas. */
  clientIdSuffix?: string;
  /**
   * While true, the client's own errors and warnings are logged at debug:
   * during start-up the CLI reports a failure once, as one line, and the
   * client's retries would only repeat it.
   */
  quiet?: () => boolean;
}
