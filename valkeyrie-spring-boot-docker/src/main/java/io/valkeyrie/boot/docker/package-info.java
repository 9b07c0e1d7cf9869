/**
 * What the service connections to containers share: the images of each backend.
 */
@NullMarked
package io.valkeyrie.boot.docker;

import org.jspecify.annotations.NullMarked;
