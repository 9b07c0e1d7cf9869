/**
 * Service discovery on a valkeyrie {@link io.valkeyrie.store.Store} for Spring Cloud Commons:
 * a service registry of keep-alive keys and discovery clients served from a watched view.
 */
@NullMarked
package io.valkeyrie.boot.discovery;

import org.jspecify.annotations.NullMarked;
