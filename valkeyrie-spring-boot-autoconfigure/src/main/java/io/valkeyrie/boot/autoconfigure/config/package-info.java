/**
 * {@code spring.config.import=valkeyrie:}: configuration data from the valkeyrie store, and
 * its refresh on change.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.config;

import org.jspecify.annotations.NullMarked;
