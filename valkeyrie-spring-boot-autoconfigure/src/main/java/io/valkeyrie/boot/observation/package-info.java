/**
 * Micrometer observations and meters of a valkeyrie {@link io.valkeyrie.store.Store}.
 */
@NullMarked
package io.valkeyrie.boot.observation;

import org.jspecify.annotations.NullMarked;
