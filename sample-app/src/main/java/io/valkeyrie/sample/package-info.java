/**
 * The valkeyrie sample application.
 */
@NullMarked
package io.valkeyrie.sample;

import org.jspecify.annotations.NullMarked;
