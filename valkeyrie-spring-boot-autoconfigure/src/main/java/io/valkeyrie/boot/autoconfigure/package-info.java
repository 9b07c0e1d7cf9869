/**
 * Auto-configuration of valkeyrie's {@link io.valkeyrie.store.Store}.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
