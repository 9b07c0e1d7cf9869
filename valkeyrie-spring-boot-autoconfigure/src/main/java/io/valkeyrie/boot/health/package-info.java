/**
 * The health indicator of a valkeyrie {@link io.valkeyrie.store.Store}.
 */
@NullMarked
package io.valkeyrie.boot.health;

import org.jspecify.annotations.NullMarked;
