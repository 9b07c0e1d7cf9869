/**
 * Configuration properties kept in a valkeyrie {@link io.valkeyrie.store.Store}: how they
 * are laid out and read, and a watch that reports their changes.
 */
@NullMarked
package io.valkeyrie.boot.config;

import org.jspecify.annotations.NullMarked;
