/**
 * The consul backend.
 */
@NullMarked
package io.valkeyrie.store.consul;

import org.jspecify.annotations.NullMarked;
