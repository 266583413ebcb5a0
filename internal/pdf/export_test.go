package pdf

// CertificateText is certificateText, for tests that check nothing else is printed.
var CertificateText = certificateText
