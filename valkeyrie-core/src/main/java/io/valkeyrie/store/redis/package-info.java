/**
 * The redis backend.
 */
@NullMarked
package io.valkeyrie.store.redis;

import org.jspecify.annotations.NullMarked;
