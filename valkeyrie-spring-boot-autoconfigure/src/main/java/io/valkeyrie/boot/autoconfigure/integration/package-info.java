/**
 * Auto-configuration of the Spring Integration lock registry and leader election backed by valkeyrie locks.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.integration;

import org.jspecify.annotations.NullMarked;
