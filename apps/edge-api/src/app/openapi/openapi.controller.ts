import { Controller, Get, Header } from '@nestjs/common';
import { DOCS_HTML } from './docs-page';
import { buildOpenApiDocument } from './openapi-document';

/** `GET /openapi.json` (generated once, from the request schemas) and `GET /docs` (a self-contained viewer). Public. */
@Controller()
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Get('openapi.json')
  openapi() {
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
  docs() {
    return DOCS_HTML;
  }
}
