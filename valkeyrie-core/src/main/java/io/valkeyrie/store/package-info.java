/**
 * The valkeyrie Store API: one key/value contract (CRUD, compare-and-swap, TTL, watches and
 * locks) shared by every backend. Open a store with {@link io.valkeyrie.store.Stores}.
 */
@NullMarked
package io.valkeyrie.store;

import org.jspecify.annotations.NullMarked;
