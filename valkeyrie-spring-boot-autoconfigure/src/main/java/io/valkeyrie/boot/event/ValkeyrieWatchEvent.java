package io.valkeyrie.boot.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the events a {@link ValkeyrieWatchRegistrar} publishes for a watched key or
 * directory.
 */
public abstract class ValkeyrieWatchEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String watchedKey;

	private final boolean tree;

	protected ValkeyrieWatchEvent(Object source, String watchedKey, boolean tree) {
		super(source);
		this.watchedKey = watchedKey;
		this.tree = tree;
	}

	/** The watched key or directory in normal form. */
	public String getWatchedKey() {
		return this.watchedKey;
	}

	/** Whether the watch covers a directory ({@code valkeyrie.watch.trees}) rather than one key. */
	public boolean isTree() {
		return this.tree;
	}

}
