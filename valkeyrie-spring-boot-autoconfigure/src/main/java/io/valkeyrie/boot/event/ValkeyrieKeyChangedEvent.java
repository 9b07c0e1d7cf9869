package io.valkeyrie.boot.event;

import java.nio.charset.StandardCharsets;

/**
 * A watched key was written or deleted (a TTL expiry is a delete). Listen with
 * {@code @EventListener}, narrowing by key with SpEL if needed:
 * <pre>{@code
 * @EventListener(condition = "#event.key.startsWith('config/')")
 * void onConfigChange(ValkeyrieKeyChangedEvent event) { ... }
 * }</pre>
 */
public class ValkeyrieKeyChangedEvent extends ValkeyrieWatchEvent {

	private static final long serialVersionUID = 1L;

	private static final byte[] EMPTY = new byte[0];

	private final Type type;

	private final String key;

	private final byte[] value;

	private final long index;

	/**
	 * Create an event.
	 * @param source the publisher
	 * @param watchedKey the watched key or directory
	 * @param tree whether a directory is watched
	 * @param type put or delete
	 * @param key the key that changed, in normal form
	 * @param value the new value, empty for a delete
	 * @param index the index of the change
	 */
	public ValkeyrieKeyChangedEvent(Object source, String watchedKey, boolean tree, Type type, String key,
			byte[] value, long index) {
		super(source, watchedKey, tree);
		this.type = type;
		this.key = key;
		this.value = value.clone();
		this.index = index;
	}

	/** Whether the key was written or deleted. */
	public Type getType() {
		return this.type;
	}

	/** The key that changed, in normal form, relative to the store's namespace. */
	public String getKey() {
		return this.key;
	}

	/** A copy of the new value; empty for a delete. */
	public byte[] getValue() {
		return (this.value.length == 0) ? EMPTY : this.value.clone();
	}

	/** The new value decoded as UTF-8; empty for a delete. */
	public String getValueAsString() {
		return new String(this.value, StandardCharsets.UTF_8);
	}

	/** The index of the change: the key's new {@code lastIndex}, or of the delete. */
	public long getIndex() {
		return this.index;
	}

	@Override
	public String toString() {
		return "ValkeyrieKeyChangedEvent[" + this.type + " " + this.key + ", index=" + this.index + "]";
	}

	/** What happened to the key. */
	public enum Type {

		/** The key was created or written (also with an unchanged value). */
		PUT,

		/** The key was deleted or expired. */
		DELETE

	}

}
