package io.valkeyrie.store;

import java.time.Duration;
import java.util.Objects;

import io.valkeyrie.store.internal.BackendOptions;

import org.jspecify.annotations.Nullable;

/**
 * Options of a lock created with {@link Store#newLock(String, LockOptions)}.
 * <p>
 * The lock's own bookkeeping is kept apart from the key, so a key that holds data can be
 * locked. A {@linkplain #value() value}, when given, is written to the key on every
 * acquisition and can be read back with {@code get}.
 *
 * @param value written to the key when the lock is acquired, or {@code null} to leave the
 * key alone
 * @param ttl how long a holder that stopped renewing (crashed, cut off) keeps others out;
 * {@code null} for the store's default: {@link #DEFAULT_TTL}, or the store's minimum TTL
 * where that is larger. The {@link StoreLock#options() options of a lock} always have it set.
 * @param renew whether the held lock renews itself before its TTL runs out
 * @param deleteOnUnlock whether {@code unlock} also deletes the key
 */
public record LockOptions(byte @Nullable [] value, @Nullable Duration ttl, boolean renew, boolean deleteOnUnlock) {

	/** The default TTL of a lock, unless the store's minimum TTL is larger. */
	public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);

	/** Default options: no value, the store's default TTL, renewed, key kept on unlock. */
	public static final LockOptions DEFAULTS = new LockOptions(null, null, true, false);

	public LockOptions {
		if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
			throw new IllegalArgumentException("'ttl' must be positive, was " + BackendOptions.format(ttl));
		}
		value = (value != null) ? value.clone() : null;
	}

	/**
	 * These options with a TTL.
	 * @param ttl the TTL
	 * @return new options
	 */
	public LockOptions withTtl(Duration ttl) {
		return new LockOptions(this.value, Objects.requireNonNull(ttl, "'ttl' must not be null"), this.renew,
				this.deleteOnUnlock);
	}

	@Override
	public byte @Nullable [] value() {
		return (this.value != null) ? this.value.clone() : null;
	}

	/** A builder starting from {@link #DEFAULTS}. */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public String toString() {
		return "LockOptions[value=" + ((this.value != null) ? this.value.length + " bytes" : "none") + ", ttl="
				+ this.ttl + ", renew=" + this.renew + ", deleteOnUnlock=" + this.deleteOnUnlock + "]";
	}

	/** Builder of {@link LockOptions}. */
	public static final class Builder {

		private byte @Nullable [] value;

		private @Nullable Duration ttl;

		private boolean renew = true;

		private boolean deleteOnUnlock;

		private Builder() {
		}

		/** Value written to the key on acquisition. */
		public Builder value(byte @Nullable [] value) {
			this.value = value;
			return this;
		}

		/** Value written to the key on acquisition, encoded as UTF-8. */
		public Builder value(String value) {
			return value(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}

		/** How long a dead holder blocks others (default: the store's default, see {@link LockOptions#ttl()}). */
		public Builder ttl(Duration ttl) {
			this.ttl = Objects.requireNonNull(ttl, "'ttl' must not be null");
			return this;
		}

		/** Whether the held lock renews itself (default {@code true}). */
		public Builder renew(boolean renew) {
			this.renew = renew;
			return this;
		}

		/** Whether unlock deletes the key (default {@code false}). */
		public Builder deleteOnUnlock(boolean deleteOnUnlock) {
			this.deleteOnUnlock = deleteOnUnlock;
			return this;
		}

		public LockOptions build() {
			return new LockOptions(this.value, this.ttl, this.renew, this.deleteOnUnlock);
		}

	}

}
