// Public API of the client package: the credential provider, its error type, the Amplify Storage and Storage Browser
// adapters, and the generated GraphQL types.
export {
  vendedCredentials,
  VEND_CREDENTIALS_MUTATION,
  MIN_REUSE_MS,
  RETRY_BACKOFF_MS,
  EXPIRY_SAFETY_MS,
} from './provider.js';
export type {
  VendedCredentialsOptions,
  VendedCredentialsProvider,
  VendedSchedule,
  VendGraphQLClient,
  VendGraphQLRequest,
  VendAuthMode,
} from './provider.js';
export { VendCredentialsError, isVendCredentialsError, toVendCredentialsError, SERVICE_ERROR_TYPES } from './errors.js';
export type { VendErrorType, ServiceErrorType } from './errors.js';
export { Scope } from './graphql/API.js';
export type { VendedCredentials, ScopeInfo, ScopeLocation } from './graphql/API.js';
export { locationCredentialsProvider, reportedExpiration, storageBrowserConfig, SCOPES_QUERY_STATEMENT } from './storage.js';
export type {
  AuthEvents,
  LocationCredentialsProvider,
  LocationCredentialsRequest,
  ListLocationsInput,
  ScopesGraphQLRequest,
  StorageBrowserConfigOptions,
  StorageGraphQLClient,
  TemporaryCredentials,
  VendStorageBrowserConfig,
} from './storage.js';
export { isFolderPrefix, locationFor, locationsFromScopes, pageOfLocations, parseS3Scope } from './locations.js';
export type { LocationPermission, LocationsPage, LocationsPageOptions, RequestedLocation, VendLocation } from './locations.js';
