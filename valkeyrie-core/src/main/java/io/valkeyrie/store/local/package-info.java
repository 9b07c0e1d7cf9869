/**
 * The local backend.
 */
@NullMarked
package io.valkeyrie.store.local;

import org.jspecify.annotations.NullMarked;
