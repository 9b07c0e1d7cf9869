package io.valkeyrie.store.internal;

import io.valkeyrie.store.Store;

/**
 * A store that passes its calls to another one (to observe them, say), so that code
 * looking for what is behind it, such as a {@link DeferredStore} still connecting, can see
 * through it.
 */
public interface DelegatingStore extends Store {

	/** The store the calls go to. */
	Store getDelegate();

}
