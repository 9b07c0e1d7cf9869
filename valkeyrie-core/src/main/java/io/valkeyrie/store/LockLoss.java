package io.valkeyrie.store;

import org.jspecify.annotations.Nullable;

/**
 * Why a held lock was lost.
 *
 * @param key the locked key
 * @param fencingToken the fencing token of the lost acquisition
 * @param reason what happened
 * @param cause the underlying error, if any
 */
public record LockLoss(String key, long fencingToken, Reason reason, @Nullable Throwable cause) {

	/** What made a held lock go. */
	public enum Reason {

		/** The lock was taken without renewal and its TTL ran out. */
		EXPIRED,

		/**
		 * No renewal the server confirmed came within the lease's validity (its TTL less the
		 * safety margin), by this process's monotonic clock: the process may have been paused
		 * or cut off, and the server may have given the lock to another holder already.
		 */
		EXPIRED_LOCALLY,

		/** The backend session or lease behind the lock expired. */
		SESSION_EXPIRED,

		/** Renewal could not reach the backend before the TTL ran out. */
		RENEWAL_FAILED,

		/** The lock record was removed or taken by someone else. */
		RECORD_REMOVED,

		/** The store was closed while the lock was held. */
		STORE_CLOSED

	}

}
