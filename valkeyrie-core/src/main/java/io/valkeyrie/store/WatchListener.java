package io.valkeyrie.store;

/**
 * Receives the events of one watch, one at a time and in order. A listener that throws is
 * logged and keeps receiving events; a slow listener delays only its own watch.
 */
@FunctionalInterface
public interface WatchListener {

	/**
	 * Handle one event.
	 * @param event the event
	 */
	void onEvent(WatchEvent event);

}
