//go:build !unix

package outfile

// syscallNoFollow: no O_NOFOLLOW outside Unix; the Lstat check stands alone there.
const syscallNoFollow = 0
