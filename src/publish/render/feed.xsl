<?xml version="1.0" encoding="utf-8"?>
<!-- Shown by browsers that open feed.atom directly: a readable list and how to subscribe. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8"/>
  <xsl:template match="/atom:feed">
    <html>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
          .hint{background:#f3f3f3;padding:.75rem 1rem;border-radius:.4rem}.meta{color:#555;font-size:.9em}</style>
      </head>
      <body>
        <h1><xsl:value-of select="atom:title"/></h1>
        <p><xsl:value-of select="atom:subtitle"/></p>
        <p class="hint">This is a web feed. Copy this page's address into your feed reader to subscribe.</p>
        <xsl:for-each select="atom:entry">
          <article>
            <xsl:if test="@xml:lang"><xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute></xsl:if>
            <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
            <p class="meta"><xsl:value-of select="substring(atom:updated, 1, 10)"/>
              <xsl:if test="atom:source"> · from <xsl:value-of select="atom:source/atom:title"/></xsl:if>
              <xsl:for-each select="atom:link[@rel='enclosure']"> · <a href="{@href}">download</a></xsl:for-each></p>
          </article>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
