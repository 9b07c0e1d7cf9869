package io.valkeyrie.sample;

import io.valkeyrie.boot.event.ValkeyrieKeyChangedEvent;
import io.valkeyrie.boot.event.ValkeyrieResyncEvent;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Receives the key changes the starter publishes for the directories in
 * {@code valkeyrie.watch.trees} (the whole namespace, see application.properties) and hands
 * them to the {@link KeyChangeFeed}. The starter calls these methods on its own threads, so
 * a slow browser connection never holds up the store.
 */
@Component
class KeyChangeListener {

	private final KeyChangeFeed feed;

	KeyChangeListener(KeyChangeFeed feed) {
		this.feed = feed;
	}

	@EventListener
	void onKeyChanged(ValkeyrieKeyChangedEvent event) {
		this.feed.publish(switch (event.getType()) {
			case PUT -> KeyChange.put(event.getKey(), event.getValueAsString(), event.getIndex());
			case DELETE -> KeyChange.delete(event.getKey(), event.getIndex());
		});
	}

	/** Changes may have been missed (reconnect, session expiry): the pages reload their lists. */
	@EventListener(condition = "!#event.initial")
	void onResync(ValkeyrieResyncEvent event) {
		this.feed.publish(KeyChange.resync());
	}

}
