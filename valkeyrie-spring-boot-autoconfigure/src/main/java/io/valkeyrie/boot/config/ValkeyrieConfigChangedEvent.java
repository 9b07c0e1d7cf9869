package io.valkeyrie.boot.config;

import java.util.Set;

import org.springframework.context.ApplicationEvent;

/**
 * Published after configuration read from the store changed and the environment was
 * updated, when Spring Cloud Context (and so its {@code RefreshEvent}) is not available.
 */
public class ValkeyrieConfigChangedEvent extends ApplicationEvent {

	private final Set<String> keys;

	/**
	 * Create an event.
	 * @param source the publisher
	 * @param keys the names of the properties that changed, appeared or disappeared
	 */
	public ValkeyrieConfigChangedEvent(Object source, Set<String> keys) {
		super(source);
		this.keys = Set.copyOf(keys);
	}

	/** The names of the properties that changed, appeared or disappeared. */
	public Set<String> getKeys() {
		return this.keys;
	}

}
