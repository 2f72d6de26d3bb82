import { ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { zodToOpenApi } from './zod-openapi';

/** Documents a success response with the output side of a zod schema (what the handler returns). */
export function ApiZodResponse(status: number, schema: z.ZodType, description = 'Success'): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, schema: zodToOpenApi(schema, 'output') });
}
