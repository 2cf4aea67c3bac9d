package probe

import "github.com/emersion/go-smtp"

func smtpErrorFor(code int, enh [3]int, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode(enh), Message: msg}
}
